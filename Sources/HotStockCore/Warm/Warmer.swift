import Logging
import RedisClient

/// What `warm` did.
public struct WarmReport: Sendable, Equatable {
    /// SKUs rebuilt in Redis.
    public var warmed: [String] = []
    /// SKUs left alone because Redis has them (warm without `force`).
    public var skipped: [String] = []
    /// Holds live again in Redis.
    public var liveHolds = 0
    /// Holds whose time had passed: they came back expired, their units returned.
    public var expiredHolds = 0
}

/// Rebuilds hot stock from cold stock after a Redis loss: each SKU's counters, config
/// and version, its live holds with their expiry, recent final holds (for idempotency)
/// and its buyers' units — for a codes SKU also its pool, fingerprints and the codes of
/// its restored holds — in one atomic script per SKU (`lua/warm.lua`).
public struct Warmer: Sendable {
    let inventory: Inventory
    let cold: ColdStore
    private let logger: Logger

    /// Makes a warmer from `cold` into the inventory's Redis.
    public init(inventory: Inventory, cold: ColdStore, logger: Logger) {
        self.inventory = inventory
        self.cold = cold
        self.logger = logger
    }

    /// Warms one SKU, or every SKU MySQL knows. Without `force`, a SKU present in Redis
    /// is skipped (and reported); with it, the SKU's Redis state is replaced.
    public func warm(
        sku: String? = nil,
        force: Bool = false,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> WarmReport {
        let skus: [ColdSKU]
        if let sku {
            try Identifier.validate(sku, field: "sku")
            guard let row = try await cold.sku(sku) else {
                throw InventoryError(.skuNotFound, "MySQL has no SKU \(sku)")
            }
            skus = [row]
        } else {
            skus = try await cold.skus()
        }
        var report = WarmReport()
        for (index, row) in skus.enumerated() {
            progress?(index, skus.count)
            do {
                let result = try await warmSKU(row.sku, force: force)
                report.warmed.append(row.sku.id)
                report.liveHolds += result.live
                report.expiredHolds += result.expired
            } catch let error as InventoryError where error.code == .skuExists {
                report.skipped.append(row.sku.id)
            }
        }
        progress?(skus.count, skus.count)
        return report
    }

    /// Warms one record of a SKU: the SKU's own (`bucket` 0), or one of its `buckets`
    /// buckets, whose `sku` carries the bucket's counters and the SKU's config.
    func warmOne(_ sku: SKU, force: Bool, bucket: Int = 0, buckets: Int = 1) async throws -> (live: Int, expired: Int) {
        let keys = inventory.keys
        let record = BucketID(sku: sku.id, index: bucket).description
        let located = keys.keys(of: record)
        let retention = inventory.configuration.retentionMs
        let now = try await inventory.redisTimeMs()
        let holds = try await cold.holds(sku: sku.id, bucket: bucket, finalSinceMs: now - retention)
        let stale = force ? try await existingKeys(of: record) : []
        // Replacing a live codes SKU from a MySQL that lags Redis would put codes already
        // sold back in the pool: only once the outbox is drained.
        if force, sku.kind == .codes,
            !(try await OutboxBacklog.measure(redis: inventory.redis, keys: inventory.keys).isEmpty)
        {
            throw InventoryError(
                .unavailable,
                "the outbox still holds changes MySQL lacks; run hotstock sync --once, then warm --force \(sku.id)"
            )
        }

        var configPairs: [String] = []
        func add(_ field: SKUField, _ value: String?) {
            if let value { configPairs += [field.rawValue, value] }
        }
        add(.perBuyerLimit, sku.config.perBuyerLimit.map(String.init))
        add(.opensAtMs, sku.config.opensAtMs.map(String.init))
        add(.releaseRate, sku.config.releaseRate.map(SKUUpdate.decimal))
        add(.releaseBurst, sku.config.releaseBurst.map(String.init))
        add(.defaultTTLMs, sku.config.defaultTTLMs.map(String.init))
        add(.maxQty, sku.config.maxQty.map(String.init))
        add(.kind, sku.kind == .codes ? SKUKind.codes.rawValue : nil)
        if buckets > 1 { configPairs += ["buckets", String(buckets)] }
        if bucket == 0 {
            add(.bucketRecords, sku.config.bucketRecords.map(String.init))
            add(.bucketRoutings, sku.config.bucketRoutings)
            add(.spreadTotal, sku.config.spreadTotal.map(String.init))
        }
        let codes = sku.kind == .codes ? try await cold.codes(sku: sku.id) : []
        let staging = keys.warmStagingKeys(record)
        // Staged only for a SKU this warm will write: a refused one would leave the copy
        // behind for an hour.
        if sku.kind == .codes {
            let present = force ? 0 : try await inventory.redis.send(.exists(keys.skuKey(sku.id))).int ?? 0
            if present == 0 { try await stage(codes, of: sku.id, into: staging) }
        }
        let restored = Set(holds.map(\.order))
        let holdCodes = codes.filter { $0.order.map(restored.contains) ?? false }
        var arguments = [
            record, String(retention), force ? "1" : "0", String(sku.total),
            String(sku.available), String(sku.held), String(sku.sold), String(sku.version),
            String(configPairs.count / 2),
        ]
        arguments += configPairs
        arguments += [String(codes.count), String(codes.count { $0.order == nil }), String(holdCodes.count)]
        for code in holdCodes {
            arguments += [code.fingerprint, code.sealed, code.order ?? "", code.deliveredAtMs.map(String.init) ?? ""]
        }
        for hold in holds {
            arguments += [
                hold.order, String(hold.qty), hold.buyer ?? "", hold.state.rawValue, String(hold.expiresAtMs),
                String(hold.createdAtMs), hold.finalAtMs.map(String.init) ?? "", String(hold.version),
            ]
        }
        let reply = try ScriptReply(
            try await inventory.library.call(
                HotStockFunction.warm,
                keys: [
                    located.skuKey, located.expiryKey, located.eventsKey, staging.pool, staging.fingerprints,
                    located.poolKey, located.fingerprintsKey, located.codeSKUsKey, located.undeliveredKey,
                    located.buyersKey,
                ] + holds.map { located.holdKey(order: $0.order) } + stale,
                arguments: arguments
            )
        )
        guard reply.isOK else {
            // A refused warm keeps nothing it staged.
            _ = try? await inventory.redis.send(.del([staging.pool, staging.fingerprints]))
            throw reply.refusal()
        }
        let result = (live: Int(try reply.requireInt("live")), expired: Int(try reply.requireInt("expired")))
        // A limited SKU over buckets finds its holds through their orders' claims, and
        // after a change of its count each buyer's units through the buyer's home.
        let layout = BucketLayout(sku.config)
        if layout.perBuyer, !layout.isPlain {
            for hold in holds {
                guard let buyer = hold.buyer else { continue }
                _ = try await inventory.claim(sku: sku.id, order: hold.order, buyer: buyer)
                guard let first = layout.earlier.first, hold.state == .held || hold.state == .confirmed,
                    record != BucketRouting.record(sku: sku.id, key: buyer, buckets: first.buckets)
                else { continue }
                _ = try await inventory.settleHome(sku: sku.id, buyer: buyer, record: record)
            }
        }
        logger.info(
            "warmed SKU",
            metadata: ["sku": "\(record)", "live_holds": "\(result.live)", "expired_holds": "\(result.expired)"]
        )
        return result
    }

    /// Stages a codes SKU's pool (codes with no order) and every code's fingerprint in
    /// calls of at most ``InventoryLimits/maxWarmStageCodes`` codes; `hs_warm` checks the
    /// staged counts and moves them into place atomically.
    private func stage(
        _ codes: [ColdStore.ColdCode],
        of sku: String,
        into staging: (pool: String, fingerprints: String)
    )
        async throws
    {
        var first = 0
        repeat {
            let chunk = codes[first..<min(first + InventoryLimits.maxWarmStageCodes, codes.count)]
            var arguments = [sku, String(first)]
            for code in chunk { arguments += [code.fingerprint, code.order == nil ? code.sealed : ""] }
            let reply = try await inventory.call(
                HotStockFunction.warmStage,
                keys: [staging.pool, staging.fingerprints],
                arguments: arguments
            )
            guard reply.isOK else { throw reply.refusal() }
            first += chunk.count
        } while first < codes.count
    }

    /// The hold keys Redis has for a SKU (what `force` replaces), and per-buyer keys of
    /// the earlier layout if any are left.
    private func existingKeys(of sku: String) async throws -> [String] {
        let prefix = inventory.keys.prefix(of: sku)
        var found: [String] = []
        for pattern in ["\(prefix)hold:\(sku)/*", "\(prefix)buyer:\(sku)/*"] {
            found += try await inventory.scan(match: pattern)
        }
        return found
    }
}
