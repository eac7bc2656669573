import HTTPTypes
import HotStockCore
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Bounds the time a client may take to send one request, head to end of body, so a
/// slow-loris client (a body trickled a byte at a time) cannot hold a request open:
/// past `limit` it gets `408 request_timeout` and its connection is closed. (A head
/// that never completes is the idle timeout's job: no request part arrives at all.)
///
/// A request that arrives whole within one read — nearly every one — arms no timer: the
/// deadline is armed only when a read ends with a request still incomplete, counted
/// from when its head arrived.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limit: TimeAmount
    private var deadline: Scheduled<Void>?
    /// When the head of a request still incomplete arrived.
    private var requestStarted: NIODeadline?
    private var timedOut = false

    /// A handler giving each request `limit` to arrive whole.
    init(limit: TimeAmount) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if timedOut { return }
        switch unwrapInboundIn(data) {
        case .head:
            requestStarted = .now()
        case .end:
            requestStarted = nil
            deadline?.cancel()
            deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let requestStarted, deadline == nil, !timedOut {
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            deadline = context.eventLoop.scheduleTask(deadline: requestStarted + limit) {
                bound.value.handler.expire(context: bound.value.context)
            }
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Once the 408 is out, whatever the route answers later has nowhere to go.
        if timedOut {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    private func expire(context: ChannelHandlerContext) {
        deadline = nil
        requestStarted = nil
        timedOut = true
        let error = InventoryError(
            .requestTimeout,
            "the request did not arrive within \(limit.nanoseconds / 1_000_000) ms"
        )
        let body = ByteBuffer(string: HotStockJSON.encode(ErrorBody(error)))
        let head = HTTPResponse(
            status: .init(code: error.code.httpStatus),
            headerFields: [
                .contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close",
            ]
        )
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        // Close our side only, and drop what the client still sends for a moment: closing
        // with unread input would reset the connection and could destroy the 408 in flight.
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
            context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) { context.close(promise: nil) }
        }
    }
}
