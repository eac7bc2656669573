import Logging
import RedisClient

extension Inventory {
    /// Brings a data set made by an earlier version to this version's key layout, once:
    /// each legacy per-buyer key (`hs:{p}:buyer:<sku>/<buyer>`) is folded into its SKU's
    /// buyers hash by one atomic, idempotent call, then the layout key records that the
    /// data set is done. Run before serving, with no process of an earlier version left
    /// (its scripts are replaced). Returns how many keys were folded.
    @discardableResult
    func adoptLegacyKeys() async throws -> Int {
        let layout = keys.layoutKey
        let current = try await withRetry { try await redis.send(.get(layout)) }
        if current.string == KeySpace.currentLayout { return 0 }
        var folded = 0
        for legacy in try await scan(match: keys.legacyBuyerKeyPattern) {
            guard let target = keys.buyersKey(ofLegacyKey: legacy) else { continue }
            let reply = try await call(
                HotStockFunction.adoptBuyer,
                keys: [legacy, target.key],
                arguments: [target.buyer]
            )
            guard reply.isOK else { throw reply.refusal() }
            folded += 1
        }
        _ = try await withRetry { try await redis.send(.set(layout, KeySpace.currentLayout)) }
        if folded > 0 {
            logger.notice("folded per-buyer keys into buyers hashes", metadata: ["keys": "\(folded)"])
        }
        return folded
    }
}
