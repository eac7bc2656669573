import NIOCore

/// A request on its way to Redis: the encoded command and the promise its reply
/// completes; with `leading`, the bytes hold one command more before it (`ASKING`),
/// whose reply completes `leading`.
struct RedisRequest: Sendable {
    var bytes: ByteBuffer
    var promise: EventLoopPromise<RedisReply>
    var leading: EventLoopPromise<RedisReply>? = nil
}

/// Pipelines requests on one Redis connection.
///
/// Replies arrive in the order the commands were written, so each reply completes the
/// oldest pending promise. Writes made during one event-loop tick share one flush (one
/// `writev`), which is what lets many concurrent callers share a connection cheaply. A
/// request left unanswered past its deadline closes the connection, since a reply
/// skipped out of order would be matched to the wrong caller.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var promise: EventLoopPromise<RedisReply>
        var deadline: NIODeadline
    }

    private let reader = ReplyReader()
    private let commandTimeout: TimeAmount
    private var pending = CircularBuffer<Pending>(initialCapacity: 64)
    private var flushScheduled = false
    private var closedWith: RedisError?
    private var deadlineCheck: RepeatedTask?

    init(commandTimeout: TimeAmount) {
        self.commandTimeout = commandTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let interval = TimeAmount.nanoseconds(max(commandTimeout.nanoseconds / 4, 10_000_000))
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadlineCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            loopBoundSelf.value.closeIfOverdue(context: loopBoundContext.value)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadlineCheck?.cancel()
        failAll(RedisError(.connectionClosed, "the connection to Redis closed"))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let closedWith {
            request.leading?.fail(closedWith)
            request.promise.fail(closedWith)
            promise?.fail(closedWith)
            return
        }
        if let leading = request.leading {
            pending.append(Pending(promise: leading, deadline: .now() + commandTimeout))
        }
        pending.append(Pending(promise: request.promise, deadline: .now() + commandTimeout))
        context.write(wrapOutboundOut(request.bytes), promise: promise)
        if !flushScheduled {
            flushScheduled = true
            context.eventLoop.assumeIsolated().execute {
                self.flushScheduled = false
                context.flush()
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try reader.feed(unwrapInboundIn(data))
            while let reply = try reader.next() {
                guard let first = pending.popFirst() else {
                    throw RedisError(.protocolError, "Redis sent a reply nobody asked for")
                }
                first.promise.succeed(reply)
            }
        } catch {
            close(context: context, error: error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError(.connectionClosed, "the connection to Redis closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(context: context, error: RedisError(.connectionClosed, "the connection to Redis failed: \(error)"))
    }

    private func closeIfOverdue(context: ChannelHandlerContext) {
        guard let first = pending.first, first.deadline < .now() else { return }
        close(context: context, error: RedisError(.timeout, "Redis did not answer within \(commandTimeout)"))
    }

    private func close(context: ChannelHandlerContext, error: any Error) {
        failAll(error as? RedisError ?? RedisError(.connectionClosed, "\(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        if closedWith == nil { closedWith = error }
        while let request = pending.popFirst() {
            request.promise.fail(error)
        }
    }
}
