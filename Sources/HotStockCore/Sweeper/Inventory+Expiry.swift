import Logging
import RedisClient

/// Expiry: the sweeper's two-step batch.
extension Inventory {
    /// Expires up to `limit` due holds of one partition (the sweeper's batch), in two
    /// steps so that every key a script touches is declared: `hs_due` reads which holds
    /// are due (Redis clock), then `hs_expire` expires those still held and due, with
    /// each one's SKU, hold and buyers keys.
    public func expireDue(partition: Int, limit: Int) async throws -> ExpiryBatch {
        precondition((0..<keys.partitions).contains(partition), "no partition \(partition)")
        let expiryKey = keys.expiryKey(partition: partition)
        let due = try await call(
            HotStockFunction.due,
            keys: [expiryKey, keys.transfersKey(partition: partition), keys.openOrdersKey(partition: partition)],
            arguments: [String(min(max(1, limit), InventoryLimits.maxExpireBatch))],
            writes: false
        )
        guard due.isOK else { throw due.refusal() }
        let lagMs = try due.requireInt("lag_ms")
        let transfers = Int(due.int("transfers") ?? 0)
        let orders = Int(due.int("orders") ?? 0)
        var holdKeys = [expiryKey, keys.eventsKey(partition: partition)]
        var arguments = [String(configuration.retentionMs)]
        var stale: [String] = []
        for member in (due["members"] ?? "").split(separator: ",") {
            let ids = member.split(separator: "/", omittingEmptySubsequences: false)
            guard ids.count == 2, Identifier.isValid(String(ids[0])) || BucketID(String(ids[0])) != nil,
                Identifier.isValid(String(ids[1])),
                keys.partition(of: String(ids[0])) == partition
            else {
                stale.append(String(member))
                continue
            }
            let located = keys.keys(of: String(ids[0]))
            holdKeys += [located.skuKey, located.holdKey(order: String(ids[1])), located.buyersKey]
            arguments += [String(ids[0]), String(ids[1])]
        }
        if !stale.isEmpty {
            // Members no hold of this partition can have (not written by HotStock): only dropped.
            logger.warning("dropping expiry members of no hold", metadata: ["members": "\(stale)"])
            _ = try await withRetry { try await redis.send(.zrem(expiryKey, members: stale)) }
        }
        guard arguments.count > 1 else {
            return ExpiryBatch(expired: 0, lagMs: lagMs, dueLeft: 0, transfersInFlight: transfers, ordersDue: orders)
        }
        let reply = try await call(HotStockFunction.expire, keys: holdKeys, arguments: arguments)
        guard reply.isOK else { throw reply.refusal() }
        return ExpiryBatch(
            expired: Int(try reply.requireInt("expired")),
            lagMs: lagMs,
            dueLeft: Int(try reply.requireInt("due_left")),
            transfersInFlight: transfers,
            ordersDue: orders
        )
    }

}

/// What one expiry batch did.
public struct ExpiryBatch: Sendable, Equatable {
    /// Holds expired by this batch.
    public var expired: Int
    /// How late the oldest due hold was when the batch ran (0 when none was due).
    public var lagMs: Int64
    /// Due holds still waiting in the partition after this batch.
    public var dueLeft: Int
    /// Transfers out of the partition's buckets in flight when the batch began.
    public var transfersInFlight: Int = 0
    /// Orders of the partition recovery should take over now (a step left unfinished, or
    /// held past their expiry) when the batch began.
    public var ordersDue: Int = 0
}
