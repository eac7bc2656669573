import Logging
import NIOCore
import NIOPosix

/// A connection of its own in subscriber mode, listening to a fixed set of shard
/// channels (`SSUBSCRIBE`; their messages are sent with `SPUBLISH`).
///
/// A shard channel lives in the slot of its name, like a key: on a cluster a message
/// travels only to the nodes of that slot's shard (a plain `PUBLISH` goes to every node
/// of the cluster), so a subscription must be made on the primary serving the slot of
/// each of its channels; when the slot moves away, Redis ends the subscription and so
/// does this one. Delivery is at most once: a message published while the connection is
/// down is lost, so whoever listens must tolerate missing some (HotStock's sold-out
/// gate lets its flags lapse). ``messages`` ends when the connection closes or a
/// channel is unsubscribed by Redis; open a new subscription to listen again.
public final class RedisSubscription: Sendable {
    private let channel: any Channel
    private let clock: ReplyClock
    /// The messages published on the channels, in order; ends when the connection closes.
    public let messages: AsyncStream<RedisMessage>

    private init(channel: any Channel, clock: ReplyClock, messages: AsyncStream<RedisMessage>) {
        self.channel = channel
        self.clock = clock
        self.messages = messages
    }

    /// Sends `PING` (answered even in subscriber mode); its answer counts in
    /// ``sinceLastReply``.
    public func ping() {
        var bytes = channel.allocator.buffer(capacity: 16)
        RedisCommand("PING").encode(into: &bytes)
        channel.writeAndFlush(bytes, promise: nil)
    }

    /// How long ago the connection last brought anything (a message, a pong): a
    /// connection that answers no ``ping()`` for long is dead, however open it looks.
    public var sinceLastReply: Duration { clock.sinceLastReply }

    /// Connects to the configuration's first seed, authenticates as it says and
    /// subscribes to the shard channels `channels` (at least one, each with a command of
    /// its own, so a cluster takes channels of different slots when the node serves
    /// them all); returns once Redis has confirmed every subscription, and throws its
    /// refusal otherwise (a `MOVED` from a node that does not serve a channel's slot).
    public static func open(
        channels: [String],
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws(RedisError) -> RedisSubscription {
        precondition(!channels.isEmpty, "a subscription needs a channel")
        let eventLoop = eventLoopGroup.next()
        let (messages, continuation) = AsyncStream.makeStream(of: RedisMessage.self, bufferingPolicy: .unbounded)
        let ready = eventLoop.makePromise(of: Void.self)
        let clock = ReplyClock()
        let handshake =
            [configuration.authCommand].compactMap { $0 } + channels.map { RedisCommand("SSUBSCRIBE", [$0]) }
        let acknowledgements = handshake.count
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        RedisSubscriptionHandler(
                            acknowledgements: acknowledgements,
                            ready: ready,
                            continuation: continuation,
                            clock: clock
                        )
                    )
                }
            }
        let target = "\(configuration.host):\(configuration.port)"
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            ready.fail(error)
            continuation.finish()
            throw RedisError(.connectionFailed, "cannot connect to Redis at \(target): \(error)")
        }
        var bytes = channel.allocator.buffer(capacity: 256)
        for command in handshake { command.encode(into: &bytes) }
        channel.writeAndFlush(bytes, promise: nil)
        let timeout = eventLoop.scheduleTask(in: TimeAmount(configuration.connectTimeout)) {
            ready.fail(RedisError(.timeout, "Redis did not confirm the subscription in time"))
        }
        do {
            try await ready.futureResult.get()
            timeout.cancel()
        } catch {
            timeout.cancel()
            channel.close(promise: nil)
            throw error as? RedisError ?? RedisError(.connectionFailed, "\(error)")
        }
        logger.debug("subscribed", metadata: ["redis": "\(configuration)", "channels": "\(channels.count)"])
        return RedisSubscription(channel: channel, clock: clock, messages: messages)
    }

    /// Closes the connection; ``messages`` ends.
    public func close() async {
        try? await channel.close()
    }

    /// Starts closing the connection without waiting; ``messages`` ends.
    public func closeNow() {
        channel.close(promise: nil)
    }
}
