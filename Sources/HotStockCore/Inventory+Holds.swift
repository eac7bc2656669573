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
        try await placeHold(sku: sku, order: order, qty: qty, buyer: buyer, ttlMs: ttlMs, orderLine: false)
    }

    /// Places a hold; `orderLine` makes it a line of the order of several SKUs `order`
    /// (DESIGN section 14), which the hold routes then neither confirm nor release.
    func placeHold(
        sku: String,
        order: String,
        qty: Int64,
        buyer: String?,
        ttlMs: Int64?,
        orderLine: Bool
    ) async throws -> HoldPlacement {
        try Identifier.validate(sku, field: "sku")
        try Identifier.validate(order, field: "order")
        if let buyer { try Identifier.validate(buyer, field: "buyer") }
        var layout = knownLayout(of: sku)
        for _ in 0..<Self.holdRounds {
            let target: String
            if layout.isPlain {
                target = sku
            } else if let record = try await holdRecord(sku: sku, order: order, buyer: buyer, layout: layout) {
                target = record
            } else {
                // The count is changing and an earlier bucket has not learned the new one yet.
                try await Task.sleep(for: .milliseconds(2))
                layout = try await bucketLayout(of: sku)
                continue
            }
            let reply = try await call(
                HotStockFunction.hold,
                keys: holdKeys(keys.keys(of: target), order: order),
                arguments: [
                    target, order, String(qty), buyer ?? "", ttlMs.map(String.init) ?? "", String(layout.buckets),
                    orderLine ? "1" : "0",
                ]
            )
            switch reply.outcome {
            case "ok":
                let hold = try RecordParsing.hold(sku: sku, order: order, fields: reply.fields)
                return HoldPlacement(hold: hold, created: reply["created"] == "1")
            case "rerouted":
                // This process learned the SKU before its count changed, or the change is
                // still being written to the buckets (the bucket says another count).
                layout = try await bucketLayout(of: sku)
                if String(layout.buckets) != reply["buckets"] { try await Task.sleep(for: .milliseconds(2)) }
            case InventoryError.Code.skuNotFound.rawValue where target != sku:
                // A process died between making the SKU and its buckets: make them.
                try await makeBuckets(of: sku, layout: layout, onlyMissing: true)
            case InventoryError.Code.notReleasedYet.rawValue where target == sku && layout.records > 1:
                // The schedule lives in bucket 0 and counts units lent to the other buckets
                // as released: released units lying there come back to be taken here.
                // None lying anywhere: the refusal stands.
                if try await gather(sku, records: layout.records, into: sku, qty: qty) == nil { throw reply.refusal() }
            case InventoryError.Code.soldOut.rawValue where layout.records > 1:
                // One bucket ran dry: siblings refill it unless the whole SKU is short.
                if case .short(let available, let version) = try await refill(
                    sku,
                    records: layout.records,
                    into: target,
                    qty: qty
                ) {
                    throw soldOut(
                        available: available,
                        version: version,
                        maxQty: reply.int("max_qty"),
                        perBuyer: layout.perBuyer
                    )
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
        try await confirm(sku: sku, order: order, reacquire: reacquire, byOrder: false)
    }

    /// Confirms a hold; `byOrder` when the caller is the saga of the order of several
    /// SKUs the hold is a line of (only it may).
    func confirm(sku: String, order: String, reacquire: Bool, byOrder: Bool) async throws -> Confirmation {
        let reply = try await transition(
            HotStockFunction.confirm,
            sku: sku,
            order: order,
            extra: [reacquire ? "1" : "0", byOrder ? "1" : "0"],
            withCodeKeys: true
        )
        return Confirmation(
            hold: try RecordParsing.hold(sku: sku, order: order, fields: reply.fields),
            reacquired: reply["reacquired"] == "1"
        )
    }

    /// Releases a hold (the buyer cancelled); its units return to `available`.
    public func release(sku: String, order: String) async throws -> Hold {
        try await release(sku: sku, order: order, byOrder: false)
    }

    /// Releases a hold; `byOrder` when the caller is the saga of the order of several
    /// SKUs the hold is a line of (only it may).
    func release(sku: String, order: String, byOrder: Bool) async throws -> Hold {
        let reply = try await transition(HotStockFunction.release, sku: sku, order: order, extra: [byOrder ? "1" : "0"])
        return try RecordParsing.hold(sku: sku, order: order, fields: reply.fields)
    }

    /// Reads a hold as it stands.
    public func hold(sku: String, order: String) async throws -> Hold {
        try Identifier.validate(sku, field: "sku")
        try Identifier.validate(order, field: "order")
        return try await inHoldRecord(sku: sku, order: order) { record, _ in
            guard var hold = try await hold(in: record, order: order) else { return nil }
            hold.sku = sku
            return hold
        }
    }

    /// Runs `body` on each SKU record that may keep the hold of `order` (``holdRecords``)
    /// until one answers; once more with the SKU's layout read afresh when this process
    /// learned it before a change.
    private func inHoldRecord<T>(
        sku: String,
        order: String,
        _ body: (String, BucketLayout) async throws -> T?
    ) async throws -> T {
        var layout = knownLayout(of: sku)
        for attempt in 0..<2 {
            for record in try await holdRecords(sku: sku, order: order, layout: layout) {
                if let found = try await body(record, layout) { return found }
            }
            guard attempt == 0 else { break }
            let actual = try await bucketLayout(of: sku)
            if actual == layout { break }
            layout = actual
        }
        throw InventoryError(.holdNotFound, "no hold for order \(order)")
    }

    fileprivate func holdKeys(_ located: SKUKeys, order: String) -> [String] {
        [located.skuKey, located.holdKey(order: order), located.expiryKey, located.eventsKey, located.buyersKey]
    }

    func transition(
        _ function: String,
        sku: String,
        order: String,
        extra: [String],
        withCodeKeys: Bool = false
    ) async throws -> ScriptReply {
        try Identifier.validate(sku, field: "sku")
        try Identifier.validate(order, field: "order")
        return try await inHoldRecord(sku: sku, order: order) { record, layout in
            // A buyer's units may be taken again only where its limit counts them: an
            // expired hold placed before a change, away from its buyer's home, is not.
            var extra = extra
            if layout.perBuyer, !layout.earlier.isEmpty, function != HotStockFunction.release, extra.first == "1",
                let buyer = try await hold(in: record, order: order)?.buyer,
                try await buyerRecord(sku: sku, buyer: buyer, layout: layout) != record
            {
                extra[0] = "0"
            }
            return try await transition(
                function,
                in: record,
                sku: sku,
                order: order,
                extra: extra,
                withCodeKeys: withCodeKeys,
                layout: layout
            )
        }
    }

    /// Runs `function` on the hold of `order` in SKU record `record`; nil when the record
    /// keeps no such hold.
    private func transition(
        _ function: String,
        in record: String,
        sku: String,
        order: String,
        extra: [String],
        withCodeKeys: Bool,
        layout: BucketLayout
    ) async throws -> ScriptReply? {
        let located = keys.keys(of: record)
        for _ in 0..<Self.holdRounds {
            let reply = try await call(
                function,
                keys: holdKeys(located, order: order)
                    + (withCodeKeys ? [located.codeEventsKey, located.poolKey, located.undeliveredKey] : []),
                arguments: [record, order, String(configuration.retentionMs)] + extra
            )
            if reply.isOK { return reply }
            if reply.outcome == InventoryError.Code.holdNotFound.rawValue { return nil }
            let hold = try? RecordParsing.hold(sku: sku, order: order, fields: reply.fields)
            // A reacquire that found its bucket dry (not refused for a rule: the bucket has
            // too few units): siblings refill it unless the SKU is short.
            if reply.outcome == InventoryError.Code.holdExpired.rawValue, function != HotStockFunction.release,
                extra.first == "1", layout.records > 1,
                let hold, hold.state == .expired, try await self.record(record).available < hold.qty,
                case .ready = try await refill(sku, records: layout.records, into: record, qty: hold.qty),
                try await self.record(record).available >= hold.qty
            {
                continue
            }
            throw reply.refusal(hold: hold)
        }
        throw InventoryError(.unavailable, "the SKU's buckets kept running dry; retry the same request")
    }
}
