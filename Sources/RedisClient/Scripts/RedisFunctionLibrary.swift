import NIOCore
import Synchronization

/// A Redis Functions library (`FUNCTION LOAD`) and the calls into it.
///
/// The library is loaded with `FUNCTION LOAD REPLACE` on every primary (each node of a
/// cluster keeps its own functions). When a node answers a call with "Function not
/// found" (after `FUNCTION FLUSH`, a restart without persistence, a replica just
/// promoted or a node just added), the library is loaded again on every primary and the
/// call retried, so the caller never sees it. Concurrent callers that hit the missing
/// library share one reload.
public final class RedisFunctionLibrary: Sendable {
    /// The library's name, as in its `#!lua name=` header.
    public let name: String
    /// The full library source, header included.
    public let code: String
    private let pool: RedisConnectionPool
    private let reload = Mutex<Task<Result<Void, RedisError>, Never>?>(nil)

    /// Makes a library; nothing is sent until ``load()`` or the first call.
    public init(name: String, code: String, pool: RedisConnectionPool) {
        self.name = name
        self.code = code
        self.pool = pool
    }

    /// Loads (or replaces) the library on every primary.
    public func load() async throws(RedisError) {
        _ = try await pool.sendToEveryPrimary(.functionLoad(code))
    }

    /// Whether every primary currently holds this library.
    public func isLoaded() async throws(RedisError) -> Bool {
        let replies = try await pool.sendToEveryPrimary(.functionList(library: name))
        return replies.allSatisfy { !($0.array ?? []).isEmpty }
    }

    /// Calls one function of the library with `FCALL`. When Redis no longer has the
    /// library, it is loaded again and the call retried (a few times, in case the library
    /// is flushed again meanwhile).
    ///
    /// With `replicas` above 0, a call whose reply `wrote` says it wrote answers only once
    /// that many replicas took it (`WAIT`, up to `replicaTimeoutMs`), else throws
    /// ``RedisError/Code/notReplicated``.
    public func call(
        _ function: String,
        keys: [String],
        arguments: [String],
        replicas: Int = 0,
        replicaTimeoutMs: Int = 1000,
        wrote: @escaping (RedisReply) -> Bool = { _ in true }
    ) async throws(RedisError) -> RedisReply {
        let command = RedisCommand.fcall(function, keys: keys, arguments: arguments)
        var reloads = 0
        while true {
            do {
                return try await pool.send(
                    command,
                    waitingForReplicas: replicas,
                    timeoutMs: replicaTimeoutMs,
                    wrote: wrote
                )
            } catch  where error.code == .replyError && error.message.hasPrefix("ERR Function not found") {
                reloads += 1
                if reloads > Self.maxReloads { throw error }
                try await reloadOnce()
            }
        }
    }

    private static let maxReloads = 5

    private func reloadOnce() async throws(RedisError) {
        let task = reload.withLock { current in
            if let current { return current }
            let task = Task { () -> Result<Void, RedisError> in
                defer { self.reload.withLock { $0 = nil } }
                do throws(RedisError) {
                    try await self.load()
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            current = task
            return task
        }
        try await task.value.get()
    }
}
