import RedisClient

/// Holds: placing one (over the SKU's buckets), confirming, releasing and reading it.
extension Inventory {
    /// Holds `qty` units for an order. The same request again answers the existing hold
    /// (`created == false`); a different qty or buyer is `idempotency_conflict`. The
    /// hold script checks qty and the TTL against the SKU and ``InventoryLimits``.
    public func placeHold(
        sku: String,
        order: String,
        qty: Int64 = 1,
        buyer: String? = nil,
        ttlMs: Int64? = nil
    ) async throws -> HoldPlacement {
        try Identifier.validate(sku, field: "sku")
        try Identifier.validate(order, field: "order")
        if let buyer { try Identifier.validate(buyer, field: "buyer") }
        var buckets = knownBuckets(of: sku)
        for _ in 0..<Self.holdRounds {
            let record = BucketRouting.record(sku: sku, order: order, buckets: buckets)
            let reply = try await call(
                HotStockFunction.hold,
                keys: holdKeys(keys.keys(of: record), order: order),
                arguments: [record, order, String(qty), buyer ?? "", ttlMs.map(String.init) ?? "", String(buckets)]
            )
            switch reply.outcome {
            case "ok":
                let hold = try RecordParsing.hold(sku: sku, order: order, fields: reply.fields)
                return HoldPlacement(hold: hold, created: reply["created"] == "1")
            case "rerouted":
                // This process learned the SKU before it was spread over buckets.
                buckets = Int(reply["buckets"] ?? "") ?? 1
                learnBuckets(of: sku, buckets)
            case InventoryError.Code.skuNotFound.rawValue where record != sku:
                // A process died between making the SKU and its buckets: make them.
                try await makeBuckets(of: sku, count: buckets)
            case InventoryError.Code.soldOut.rawValue where buckets > 1:
                // One bucket ran dry: siblings refill it unless the whole SKU is short.
                if case .short(let available, let version) = try await refill(
                    sku,
                    buckets: buckets,
                    into: record,
                    qty: qty
                ) {
                    throw soldOut(available: available, version: version, maxQty: reply.int("max_qty"))
                }
            default:
                throw reply.refusal()
            }
        }
        throw InventoryError(
            .unavailable,
            "the SKU's buckets kept running dry under contention; retry the same request",
            retryAfterMilliseconds: 50
        )
    }

    /// How often a hold is tried before it gives up with `unavailable`: routing again once
    /// the SKU's buckets are learned, then refilling a dry bucket that others keep draining.
    static let holdRounds = 16

    /// Confirms a hold (payment succeeded). With `reacquire`, an expired hold is held and
    /// confirmed again in one step when stock allows.
    public func confirm(sku: String, order: String, reacquire: Bool = false) async throws -> Confirmation {
        let reply = try await transition(
            HotStockFunction.confirm,
            sku: sku,
            order: order,
            extra: [reacquire ? "1" : "0"],
            withCodeKeys: true
        )
        return Confirmation(
            hold: try RecordParsing.hold(sku: sku, order: order, fields: reply.fields),
            reacquired: reply["reacquired"] == "1"
        )
    }

    /// Releases a hold (the buyer cancelled); its units return to `available`.
    public func release(sku: String, order: String) async throws -> Hold {
        let reply = try await transition(HotStockFunction.release, sku: sku, order: order, extra: [])
        return try RecordParsing.hold(sku: sku, order: order, fields: reply.fields)
    }

    /// Reads a hold as it stands.
    public func hold(sku: String, order: String) async throws -> Hold {
        try Identifier.validate(sku, field: "sku")
        try Identifier.validate(order, field: "order")
        var buckets = knownBuckets(of: sku)
        for attempt in 0..<2 {
            let record = BucketRouting.record(sku: sku, order: order, buckets: buckets)
            if var hold = try await hold(in: record, order: order) {
                hold.sku = sku
                return hold
            }
            // Not where this process looked: the SKU may have been spread since it learned it.
            guard attempt == 0 else { break }
            let actual = try await bucketCount(of: sku)
            if actual == buckets { break }
            buckets = actual
        }
        throw InventoryError(.holdNotFound, "no hold for order \(order)")
    }

    fileprivate func holdKeys(_ located: SKUKeys, order: String) -> [String] {
        [located.skuKey, located.holdKey(order: order), located.expiryKey, located.eventsKey, located.buyersKey]
    }

    fileprivate func transition(
        _ function: String,
        sku: String,
        order: String,
        extra: [String],
        withCodeKeys: Bool = false
    ) async throws -> ScriptReply {
        try Identifier.validate(sku, field: "sku")
        try Identifier.validate(order, field: "order")
        var buckets = knownBuckets(of: sku)
        var looked = false
        for _ in 0..<Self.holdRounds {
            let record = BucketRouting.record(sku: sku, order: order, buckets: buckets)
            let located = keys.keys(of: record)
            let reply = try await call(
                function,
                keys: holdKeys(located, order: order)
                    + (withCodeKeys ? [located.codeEventsKey, located.poolKey, located.undeliveredKey] : []),
                arguments: [record, order, String(configuration.retentionMs)] + extra
            )
            if reply.isOK { return reply }
            let hold = try? RecordParsing.hold(sku: sku, order: order, fields: reply.fields)
            if reply.outcome == InventoryError.Code.holdNotFound.rawValue, !looked {
                // The SKU may have been spread over buckets since this process learned it.
                looked = true
                let actual = try await bucketCount(of: sku)
                if actual != buckets {
                    buckets = actual
                    continue
                }
            }
            // A reacquire that found its bucket dry: siblings refill it unless the SKU is short.
            if reply.outcome == InventoryError.Code.holdExpired.rawValue, extra.first == "1", buckets > 1,
                let hold, hold.state == .expired,
                case .ready = try await refill(sku, buckets: buckets, into: record, qty: hold.qty),
                try await self.record(record).available >= hold.qty
            {
                continue
            }
            throw reply.refusal(hold: hold)
        }
        throw InventoryError(.unavailable, "the SKU's buckets kept running dry; retry the same request")
    }

}
