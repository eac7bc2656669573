import Logging
import NIOCore
import NIOPosix

/// One TCP connection to Redis, authenticated and on the configured database.
///
/// Any number of tasks may send on it at once: their commands are pipelined, and each
/// gets its own reply. The socket is owned by a SwiftNIO event loop, so no call here
/// blocks a thread of Swift's cooperative pool.
public final class RedisConnection: Sendable {
    private let channel: any Channel
    private let allocator: ByteBufferAllocator

    private init(channel: any Channel) {
        self.channel = channel
        self.allocator = channel.allocator
    }

    /// Opens a connection, then sends `AUTH` and `SELECT` as the configuration asks.
    public static func connect(
        to configuration: RedisConfiguration,
        on eventLoop: any EventLoop,
        logger: Logger
    ) -> EventLoopFuture<RedisConnection> {
        let commandTimeout = TimeAmount(configuration.commandTimeout)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        RedisChannelHandler(commandTimeout: commandTimeout)
                    )
                }
            }
        let target = "\(configuration.host):\(configuration.port)"
        return bootstrap.connect(host: configuration.host, port: configuration.port)
            .flatMapErrorThrowing { error in
                throw RedisError(.connectionFailed, "cannot connect to Redis at \(target): \(error)")
            }
            .flatMap { channel in
                let connection = RedisConnection(channel: channel)
                return connection.handshake(configuration).map { connection }
                    .flatMapError { error in
                        channel.close(promise: nil)
                        return eventLoop.makeFailedFuture(error)
                    }
            }
            .map { connection in
                logger.debug("connected to Redis", metadata: ["redis": "\(configuration)"])
                return connection
            }
    }

    private func handshake(_ configuration: RedisConfiguration) -> EventLoopFuture<Void> {
        var future = channel.eventLoop.makeSucceededVoidFuture()
        if let auth = configuration.authCommand {
            let user = configuration.username ?? "default"
            future = future.flatMap { self.sendFuture(auth) }.flatMapThrowing { reply in
                if case .error(let message) = reply {
                    throw RedisError(.authenticationFailed, "Redis refused AUTH for user \(user): \(message)")
                }
            }
        }
        if configuration.database != 0 {
            let select = RedisCommand("SELECT", [String(configuration.database)])
            future = future.flatMap { self.sendFuture(select) }.flatMapThrowing { reply in
                if case .error(let message) = reply {
                    throw RedisError(
                        .authenticationFailed,
                        "Redis refused SELECT \(configuration.database): \(message)"
                    )
                }
            }
        }
        return future
    }

    /// Whether the socket is still open. A closed connection fails every request.
    public var isOpen: Bool { channel.isActive }

    /// Sends a command and waits for its reply. An error reply is thrown as
    /// ``RedisError/Code/replyError``.
    public func send(_ command: RedisCommand) async throws(RedisError) -> RedisReply {
        try await reply(of: sendFuture(command))
    }

    private func reply(of future: EventLoopFuture<RedisReply>) async throws(RedisError) -> RedisReply {
        let reply: RedisReply
        do {
            reply = try await future.get()
        } catch let error as RedisError {
            throw error
        } catch {
            throw RedisError(.connectionClosed, "\(error)")
        }
        if case .error(let message) = reply { throw RedisError(.replyError, message) }
        return reply
    }

    /// Sends a command; the future holds the raw reply, error replies included.
    public func sendFuture(_ command: RedisCommand) -> EventLoopFuture<RedisReply> {
        sendFuture(command, asking: false)
    }

    /// Sends `command` (after `ASKING` in the same write, with `asking`); then, when
    /// `follow` makes a command of its reply (`WAIT` after a call that wrote), sends that
    /// on this same connection, so it counts this connection's writes. Throws as
    /// ``send(_:)`` does, for the command first.
    func send(
        _ command: RedisCommand,
        asking: Bool,
        then follow: (RedisReply) -> RedisCommand?
    ) async throws(RedisError) -> (RedisReply, RedisReply?) {
        let first = try await reply(of: sendFuture(command, asking: asking))
        guard let next = follow(first) else { return (first, nil) }
        return (first, try await reply(of: sendFuture(next, asking: false)))
    }

    private func sendFuture(_ command: RedisCommand, asking: Bool) -> EventLoopFuture<RedisReply> {
        var bytes = allocator.buffer(capacity: 64)
        let leading = asking ? channel.eventLoop.makePromise(of: RedisReply.self) : nil
        if asking { RedisCommand("ASKING").encode(into: &bytes) }
        command.encode(into: &bytes)
        let promise = channel.eventLoop.makePromise(of: RedisReply.self)
        // A write that never reaches the handler (the channel closed meanwhile) must still
        // complete the reply promise; completing it twice is harmless.
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            leading?.fail(RedisError(.connectionClosed, "the request could not be sent: \(error)"))
            promise.fail(RedisError(.connectionClosed, "the request could not be sent: \(error)"))
        }
        channel.write(RedisRequest(bytes: bytes, promise: promise, leading: leading), promise: written)
        return promise.futureResult
    }

    /// Closes the socket; requests still in flight fail with `connectionClosed`.
    public func close() async {
        try? await channel.close()
    }

    /// Starts closing the socket without waiting for it.
    func closeNow() {
        channel.close(promise: nil)
    }
}
