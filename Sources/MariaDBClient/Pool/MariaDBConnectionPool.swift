import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A small pool of MariaDB connections, each on a thread of its own.
///
/// At most ``MariaDBConfiguration/poolSize`` connections exist; a caller waits for a
/// free one. A connection whose server went away is dropped when it comes back, and a
/// new one is opened for the next caller.
public final class MariaDBConnectionPool: Sendable {
    /// The configuration the pool connects with.
    public let configuration: MariaDBConfiguration
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let state: Mutex<State>

    private struct State: ~Copyable {
        var idle: [MariaDBConnection] = []
        var permits: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
        var isShutDown = false
    }

    /// Makes a pool; no connection opens until the first use.
    public init(configuration: MariaDBConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let size = max(1, configuration.poolSize)
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: size)
        self.state = Mutex(State(permits: size))
    }

    /// Runs `body` with a connection of the pool, then returns the connection.
    public func withConnection<T: Sendable>(
        _ body: (MariaDBConnection) async throws -> T
    ) async throws -> T {
        try await acquirePermit()
        let connection: MariaDBConnection
        do {
            connection = try await idleOrNewConnection()
        } catch {
            releasePermit(returning: nil)
            throw error
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body(connection))
        } catch {
            result = .failure(error)
        }
        if await connection.isBroken {
            await connection.close()
            releasePermit(returning: nil)
        } else {
            releasePermit(returning: connection)
        }
        return try result.get()
    }

    /// Closes idle connections and stops the pool's threads.
    public func shutdown() async {
        let idle = state.withLock { state in
            state.isShutDown = true
            defer { state.idle = [] }
            return state.idle
        }
        for connection in idle { await connection.close() }
        try? await group.shutdownGracefully()
    }

    private func acquirePermit() async throws(MariaDBError) {
        enum Outcome { case granted, wait, shutDown }
        let outcome: Outcome = state.withLock { state in
            if state.isShutDown { return .shutDown }
            if state.permits > 0 {
                state.permits -= 1
                return .granted
            }
            return .wait
        }
        switch outcome {
        case .granted: return
        case .shutDown: throw MariaDBError(.connectionFailed, "the MariaDB pool is shut down")
        case .wait:
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.permits > 0 {
                        state.permits -= 1
                        return true
                    }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    private func releasePermit(returning connection: MariaDBConnection?) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            if let connection, !state.isShutDown { state.idle.append(connection) }
            if state.waiters.isEmpty {
                state.permits += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume()
    }

    private func idleOrNewConnection() async throws(MariaDBError) -> MariaDBConnection {
        if let connection = state.withLock({ $0.idle.popLast() }) { return connection }
        let connection = try await MariaDBConnection.connect(configuration, on: group.next())
        logger.debug("connected to MariaDB", metadata: ["mysql": "\(configuration)"])
        return connection
    }
}
