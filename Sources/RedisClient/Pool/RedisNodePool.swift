import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A fixed number of pipelined connections to one Redis node, shared by every task of
/// the process: the whole pool of a single Redis, or one primary's in a cluster
/// (``RedisConnectionPool`` picks the node).
///
/// Each request goes to the next connection in turn. A connection that closed (Redis
/// restarted, a timeout) is reopened by the next request that lands on it; concurrent
/// requests wait for the same reconnection instead of opening several.
final class RedisNodePool: Sendable {
    /// The configuration the pool connects with; its host and port are the node's.
    let configuration: RedisConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let slots: [Slot]
    private let nextSlot = Atomic<Int>(0)

    private final class Slot: Sendable {
        enum State {
            case idle
            case connecting(EventLoopFuture<RedisConnection>)
            case open(RedisConnection)
            case shutDown
        }
        let state = Mutex<State>(.idle)
    }

    private enum Lease {
        case ready(RedisConnection)
        case pending(EventLoopFuture<RedisConnection>)
        case shutDown
    }

    /// Makes a pool; no connection opens until the first request.
    init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.logger = logger
        self.slots = (0..<max(1, configuration.poolSize)).map { _ in Slot() }
    }

    /// Sends one command on the next connection and returns its reply. Error replies are
    /// thrown as ``RedisError/Code/replyError``.
    func send(_ command: RedisCommand) async throws(RedisError) -> RedisReply {
        try await connection().send(command)
    }

    /// Sends `command` on one connection — after `ASKING` in the same write with
    /// `asking` (a cluster's `ASK` redirection), and followed on that connection by the
    /// command `follow` makes of its reply, if any (`WAIT`) — and returns both replies.
    func send(
        _ command: RedisCommand,
        asking: Bool,
        then follow: (RedisReply) -> RedisCommand?
    ) async throws(RedisError) -> (RedisReply, RedisReply?) {
        try await connection().send(command, asking: asking, then: follow)
    }

    /// The node's address.
    var address: RedisNodeAddress { RedisNodeAddress(host: configuration.host, port: configuration.port) }

    /// A connected connection, opening or reopening one when needed.
    func connection() async throws(RedisError) -> RedisConnection {
        let index = nextSlot.add(1, ordering: .relaxed).newValue % slots.count
        let slot = slots[index]
        let eventLoop = group.next()
        var started: EventLoopPromise<RedisConnection>?
        let lease: Lease = slot.state.withLock { state in
            switch state {
            case .open(let connection) where connection.isOpen:
                return .ready(connection)
            case .connecting(let future):
                return .pending(future)
            case .shutDown:
                return .shutDown
            case .idle, .open:
                let promise = eventLoop.makePromise(of: RedisConnection.self)
                started = promise
                state = .connecting(promise.futureResult)
                return .pending(promise.futureResult)
            }
        }
        if let started {
            // Callbacks are registered outside the lock: a completed future runs them inline.
            started.futureResult.whenComplete { result in
                let orphan: RedisConnection? = slot.state.withLock { state in
                    guard case .connecting = state else {
                        if case .success(let connection) = result { return connection }
                        return nil
                    }
                    switch result {
                    case .success(let connection): state = .open(connection)
                    case .failure: state = .idle
                    }
                    return nil
                }
                orphan?.closeNow()
            }
            started.completeWith(RedisConnection.connect(to: configuration, on: eventLoop, logger: logger))
        }
        switch lease {
        case .ready(let connection):
            return connection
        case .shutDown:
            throw RedisError(.shutDown, "the Redis pool is shut down")
        case .pending(let future):
            do {
                return try await future.get()
            } catch let error as RedisError {
                throw error
            } catch {
                throw RedisError(.connectionFailed, "\(error)")
            }
        }
    }

    /// Closes every connection; later requests fail with `connectionClosed`.
    func shutdown() async {
        let open: [RedisConnection] = slots.compactMap { slot in
            slot.state.withLock { state in
                defer { state = .shutDown }
                if case .open(let connection) = state { return connection }
                return nil
            }
        }
        for connection in open { await connection.close() }
    }
}
