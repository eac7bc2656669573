import NIOCore
import Synchronization

/// When a subscription's connection last brought a reply (a message, a pong), in
/// `NIODeadline` uptime nanoseconds: how a listener tells a live but quiet connection
/// (it answers `PING`) from a dead one.
final class ReplyClock: Sendable {
    private let last = Atomic<UInt64>(NIODeadline.now().uptimeNanoseconds)

    func tick() { last.store(NIODeadline.now().uptimeNanoseconds, ordering: .relaxed) }

    /// How long ago the last reply came.
    var sinceLastReply: Duration {
        .nanoseconds(Int64(NIODeadline.now().uptimeNanoseconds &- last.load(ordering: .relaxed)))
    }
}

/// Reads a connection in subscriber mode: first the acknowledgements of the handshake
/// (`AUTH`, then one per subscribed channel), which complete `ready`; then every
/// published message, handed to `continuation`. The connection closing ends both, and
/// so does Redis unsubscribing a channel by itself (`sunsubscribe`: its slot moved to
/// another node), which closes the connection.
final class RedisSubscriptionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let reader = ReplyReader()
    private var acknowledgementsLeft: Int
    private let ready: EventLoopPromise<Void>
    private let continuation: AsyncStream<RedisMessage>.Continuation
    private let clock: ReplyClock

    init(
        acknowledgements: Int,
        ready: EventLoopPromise<Void>,
        continuation: AsyncStream<RedisMessage>.Continuation,
        clock: ReplyClock
    ) {
        self.acknowledgementsLeft = acknowledgements
        self.ready = ready
        self.continuation = continuation
        self.clock = clock
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try reader.feed(unwrapInboundIn(data))
            while let reply = try reader.next() {
                clock.tick()
                if acknowledgementsLeft > 0 {
                    if case .error(let message) = reply { throw RedisError(.replyError, message) }
                    acknowledgementsLeft -= 1
                    if acknowledgementsLeft == 0 { ready.succeed() }
                } else if let message = RedisMessage(reply) {
                    continuation.yield(message)
                } else if reply.array?.first?.string == "sunsubscribe" {
                    throw RedisError(.connectionClosed, "Redis unsubscribed a channel: its slot moved")
                }
            }
        } catch {
            close(context: context, error: error as? RedisError ?? RedisError(.protocolError, "\(error)"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        ready.fail(RedisError(.connectionClosed, "the subscription's connection to Redis closed"))
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(context: context, error: RedisError(.connectionClosed, "the subscription's connection failed: \(error)"))
    }

    private func close(context: ChannelHandlerContext, error: RedisError) {
        ready.fail(error)
        continuation.finish()
        context.close(promise: nil)
    }
}

/// One message published on a channel the subscription listens to.
public struct RedisMessage: Sendable, Hashable {
    /// The channel it was published on.
    public var channel: String
    /// What was published.
    public var payload: String

    /// Reads a `message` (or a shard channel's `smessage`) push; `nil` for any other
    /// reply (subscribe confirmations, pongs).
    init?(_ reply: RedisReply) {
        guard let items = reply.array, items.count == 3, let kind = items[0].string,
            kind == "message" || kind == "smessage", let channel = items[1].string, let payload = items[2].string
        else { return nil }
        self.channel = channel
        self.payload = payload
    }
}
