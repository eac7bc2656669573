import NIOCore
import Synchronization

/// A Redis Functions library (`FUNCTION LOAD`) and the calls into it.
///
/// The library is loaded with `FUNCTION LOAD REPLACE`. When Redis answers a call with
/// "Function not found" (after `FUNCTION FLUSH`, or a restart without persistence),
/// the library is loaded again and the call retried once, so the caller never sees it.
/// Concurrent callers that hit the missing library share one reload.
public final class RedisFunctionLibrary: Sendable {
    /// The library's name, as in its `#!lua name=` header.
    public let name: String
    /// The full library source, header included.
    public let code: String
    private let pool: RedisConnectionPool
    private let reload = Mutex<EventLoopFuture<RedisReply>?>(nil)

    /// Makes a library; nothing is sent until ``load()`` or the first call.
    public init(name: String, code: String, pool: RedisConnectionPool) {
        self.name = name
        self.code = code
        self.pool = pool
    }

    /// Loads (or replaces) the library in Redis.
    public func load() async throws(RedisError) {
        _ = try await pool.send(.functionLoad(code))
    }

    /// Whether Redis currently holds this library.
    public func isLoaded() async throws(RedisError) -> Bool {
        let reply = try await pool.send(.functionList(library: name))
        return !(reply.array ?? []).isEmpty
    }

    /// Calls one function of the library with `FCALL`. When Redis no longer has the
    /// library, it is loaded again and the call retried (a few times, in case the library
    /// is flushed again meanwhile).
    public func call(
        _ function: String,
        keys: [String],
        arguments: [String]
    ) async throws(RedisError) -> RedisReply {
        let command = RedisCommand.fcall(function, keys: keys, arguments: arguments)
        var reloads = 0
        while true {
            do {
                return try await pool.send(command)
            } catch  where error.code == .replyError && error.message.hasPrefix("ERR Function not found") {
                reloads += 1
                if reloads > Self.maxReloads { throw error }
                try await reloadOnce()
            }
        }
    }

    private static let maxReloads = 5

    private func reloadOnce() async throws(RedisError) {
        let connection = try await pool.connection()
        let (loading, isOwner): (EventLoopFuture<RedisReply>, Bool) = reload.withLock { current in
            if let current { return (current, false) }
            let loading = connection.sendFuture(.functionLoad(code))
            current = loading
            return (loading, true)
        }
        if isOwner {
            // Registered outside the lock: a completed future runs the callback inline.
            loading.whenComplete { _ in self.reload.withLock { $0 = nil } }
        }
        let reply: RedisReply
        do {
            reply = try await loading.get()
        } catch {
            throw error as? RedisError ?? RedisError(.connectionClosed, "\(error)")
        }
        if case .error(let message) = reply { throw RedisError(.replyError, message) }
    }
}
