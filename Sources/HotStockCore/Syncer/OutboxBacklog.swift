import RedisClient

/// What the syncers still owe MySQL: outbox entries read but not committed (pending in
/// the consumer group, a dead syncer's included) and entries no syncer has read yet.
/// MySQL equals Redis only once both are zero.
public struct OutboxBacklog: Sendable, Equatable {
    /// Entries delivered to a syncer and not acknowledged after a MySQL commit.
    public var pending: Int64 = 0
    /// Entries appended after the last one delivered to the group.
    public var unread: Int64 = 0

    /// Whether every change has reached MySQL.
    public var isEmpty: Bool { pending == 0 && unread == 0 }

    /// Measures the backlog of every partition of `keys` on `redis`, for the syncers'
    /// `group`.
    public static func measure(
        redis: RedisConnectionPool,
        keys: KeySpace,
        group: String = SyncerConfiguration().group
    ) async throws -> OutboxBacklog {
        var backlog = OutboxBacklog()
        for key in (0..<keys.partitions).flatMap(keys.outboxKeys(partition:)) {
            let groups: RedisReply
            do {
                groups = try await redis.send(.xinfoGroups(key))
            } catch {
                // No stream yet: nothing was ever written to this partition.
                guard error.code == .replyError && error.message.contains("no such key") else { throw error }
                continue
            }
            let ours = (groups.array ?? []).map(\.fieldMap).first { $0["name"]?.string == group }
            guard let ours else {
                // No syncer ever ran here: every entry is unread.
                backlog.unread += try await redis.send(.xlen(key)).int ?? 0
                continue
            }
            backlog.pending += ours["pending"]?.int ?? 0
            // Whether anything lies past the last entry delivered decides; Redis's `lag`
            // only sizes it (it can be missing after a trim, and stale after an AOF
            // rewrite and restart: seen as 3313 on an empty stream).
            let delivered = ours["last-delivered-id"]?.string ?? "0-0"
            let next = try await redis.send(.xrange(key, from: "(" + delivered, count: 1))
            if next.array?.isEmpty == false {
                backlog.unread += max(1, ours["lag"]?.int ?? 1)
            }
        }
        return backlog
    }
}
