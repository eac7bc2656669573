import RedisClient
import Synchronization

extension Inventory {
    /// How `sku` routes its holds, as this process last learned (one record until it
    /// learns more).
    func knownLayout(of sku: String) -> BucketLayout {
        bucketLayouts.withLock { $0[sku] ?? BucketLayout() }
    }

    /// Notes how `sku` routes its holds (a SKU of one record is not kept).
    func learn(_ layout: BucketLayout, of sku: String) {
        bucketLayouts.withLock { $0[sku] = layout.isPlain ? nil : layout }
    }

    /// How `sku` routes its holds, as its own record says (learned on the way).
    func bucketLayout(of sku: String) async throws -> BucketLayout {
        let fields: [SKUField] = [.buckets, .bucketRecords, .bucketRoutings, .perBuyerLimit]
        let reply = try await withRetry {
            try await redis.send(.hmget(keys.skuKey(sku), fields: fields.map(\.rawValue)))
        }
        let values = reply.array ?? []
        func value(_ index: Int) -> String? { index < values.count ? values[index].string : nil }
        let layout = BucketLayout(
            buckets: value(0).flatMap { Int64($0) },
            records: value(1).flatMap { Int64($0) },
            routings: value(2),
            perBuyer: value(3) != nil
        )
        learn(layout, of: sku)
        return layout
    }

    /// Sets how many buckets `sku`'s holds route over (DESIGN section 12), also while a
    /// sale runs: the SKU's own record notes the count (and the count it replaces, so
    /// retries of older holds are found), every bucket record gets it (and a copy of the
    /// SKU's config when new), then the available units are shared out over the buckets
    /// by transfers, retired buckets emptied. A process that dies half-way leaves bucket
    /// records the next hold or change makes, and units where they were: exact, only
    /// less even; the change may simply be run again.
    func spread(_ sku: String, over buckets: Int) async throws {
        try Identifier.validate(sku, field: "sku")
        let located = keys.keys(of: sku)
        let own = try await call(
            HotStockFunction.setBuckets,
            keys: [located.skuKey, located.eventsKey],
            arguments: [sku, String(buckets), "set"]
        )
        guard own.isOK else { throw own.refusal() }
        let home = try await record(sku)
        let layout = BucketLayout(home.config)
        try await makeBuckets(of: sku, layout: layout, config: home.config)
        learn(layout, of: sku)
        try await rebalance(sku, layout: layout)
    }

    /// Makes (or, unless `onlyMissing`, brings up to date) bucket records 1..<records of
    /// `sku`, each noting the count holds route over and, when new, a copy of the SKU's
    /// config (`config`, or as the SKU's record has it). A hold that finds its bucket
    /// missing makes only what is missing: its layout may be older than a change under
    /// way, whose count it must not write over.
    func makeBuckets(
        of sku: String,
        layout: BucketLayout,
        config known: SKUConfig? = nil,
        onlyMissing: Bool = false
    ) async throws {
        let config: SKUConfig
        if let known { config = known } else { config = try await record(sku).config }
        var pairs: [String] = []
        func add(_ field: SKUField, _ value: String?) {
            if let value { pairs += [field.rawValue, value] }
        }
        add(.perBuyerLimit, config.perBuyerLimit.map(String.init))
        add(.opensAtMs, config.opensAtMs.map(String.init))
        add(.releaseBurst, config.releaseBurst.map(String.init))
        add(.defaultTTLMs, config.defaultTTLMs.map(String.init))
        add(.maxQty, config.maxQty.map(String.init))
        for record in layout.allRecords(sku: sku).dropFirst() {
            let located = keys.keys(of: record)
            let reply = try await call(
                HotStockFunction.setBuckets,
                keys: [located.skuKey, located.eventsKey],
                arguments: [record, String(layout.buckets), onlyMissing ? "create" : "set"] + pairs
            )
            guard reply.isOK else { throw reply.refusal() }
        }
    }

    /// Shares `sku`'s available units out evenly over the buckets holds route to, and
    /// empties retired ones (after a shrink), by transfers.
    func rebalance(_ sku: String, layout: BucketLayout) async throws {
        let stock = try await bucketRecords(of: sku, records: layout.records)
        let available = stock.reduce(0) { $0 + $1.available }
        let count = Int64(layout.buckets)
        func share(_ record: SKU) -> Int64 {
            let index = Int64(BucketID(record.id)?.index ?? 0)
            return index < count ? available / count + (index < available % count ? 1 : 0) : 0
        }
        var donors = stock.filter { $0.available > share($0) }.map { ($0.id, $0.available - share($0)) }
        for recipient in stock where recipient.available < share(recipient) {
            var missing = share(recipient) - recipient.available
            while missing > 0, let (donor, spare) = donors.first {
                let moved = try await lend(from: donor, to: recipient.id, want: min(spare, missing))
                missing -= moved
                if moved == 0 || moved >= spare { donors.removeFirst() } else { donors[0].1 = spare - moved }
            }
        }
        // Left over where shares were met already: retired buckets empty into bucket 0.
        for (donor, spare) in donors where (BucketID(donor)?.index ?? 0) >= layout.buckets {
            _ = try await lend(from: donor, to: sku, want: spare)
        }
    }

    /// Moves what it can of `want` units, none when bucket 0's release schedule has not
    /// reached them (they stay there until it has; refills lend them then).
    private func lend(from donor: String, to recipient: String, want: Int64) async throws -> Int64 {
        do {
            return try await moveUnits(from: donor, to: recipient, want: want, least: 1)
        } catch let error as InventoryError where error.code == .notReleasedYet {
            return 0
        }
    }

    /// Each bucket of `sku` as it stands (one record for a SKU of one bucket), bucket 0
    /// first: what `hotstock stock show SKU --buckets` prints.
    public func buckets(of sku: String) async throws -> [SKU] {
        try Identifier.validate(sku, field: "sku")
        let own = try await record(sku)
        return try await [own] + bucketRecords(of: sku, records: BucketLayout(own.config).records, from: 1)
    }

    /// Each of the `records` bucket records of `sku` from bucket `first` on, in order (a
    /// missing bucket is left out).
    func bucketRecords(of sku: String, records: Int, from first: Int = 0) async throws -> [SKU] {
        try await withThrowingTaskGroup(of: (Int, SKU?).self) { group in
            for (index, record) in BucketRouting.records(sku: sku, buckets: records).enumerated().dropFirst(first) {
                group.addTask {
                    do {
                        return (index, try await self.record(record))
                    } catch let error as InventoryError where error.code == .skuNotFound {
                        return (index, nil)
                    }
                }
            }
            var found: [(Int, SKU)] = []
            for try await (index, stock) in group { if let stock { found.append((index, stock)) } }
            return found.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The SKU as its contract shows it: over buckets, `held`, `sold` and the version
    /// summed, `total` the SKU's total (noted when it was spread: fixed since) and
    /// `available` the rest, so units in transit between buckets count available (they
    /// are on their way to one) and the body always adds up; the config the SKU's own.
    /// A SKU spread before the total was noted sums the totals and adds the units in
    /// transit.
    func summed(_ own: SKU, records: Int) async throws -> SKU {
        guard records > 1 else { return own }
        var sum = own
        for bucket in try await bucketRecords(of: own.id, records: records, from: 1) {
            sum.total += bucket.total
            sum.available += bucket.available
            sum.held += bucket.held
            sum.sold += bucket.sold
            sum.version += bucket.version
        }
        if let total = own.config.spreadTotal {
            sum.total = total
            sum.available = total - sum.held - sum.sold
        } else {
            let transit = try await unitsInTransit(of: own.id, records: records)
            sum.total += transit
            sum.available += transit
        }
        return sum
    }

    /// What a refill found: units ready in the bucket (or worth another try), or the
    /// SKU's whole stock short of the request, as one consistent read summed it.
    enum Refill {
        case ready
        case short(available: Int64, version: Int64)
    }

    /// Brings at least `qty` available units into bucket record `target` from its
    /// siblings (each donor gives half its units or what is missing, whichever is more:
    /// units drift toward demand). Answers `short` only when the SKU as a whole has
    /// fewer than `qty` available and no units in transit: the one case for `sold_out`.
    ///
    /// The buckets are read one by one, so a sum alone can miss units that moved between
    /// two reads (a transfer out of a bucket not read yet into one read already). A
    /// shortage counts only when no transfer was in flight after a first short read and
    /// a second read finds every bucket at the version the first saw: every change
    /// bumps its bucket's version, so nothing moved in between and the sum was exact.
    func refill(_ sku: String, records: Int, into target: String, qty: Int64) async throws -> Refill {
        var shortage: [String: Int64]?
        for _ in 0..<8 {
            let stock = try await bucketRecords(of: sku, records: records)
            let available = stock.reduce(0) { $0 + $1.available }
            if available < qty {
                let versions = Dictionary(uniqueKeysWithValues: stock.map { ($0.id, $0.version) })
                if versions == shortage {
                    return .short(available: available, version: stock.reduce(0) { $0 + $1.version })
                }
                if try await unitsInTransit(of: sku, records: records) > 0 {
                    shortage = nil
                    try await Task.sleep(for: .milliseconds(2))
                } else {
                    shortage = versions
                }
                continue
            }
            shortage = nil
            var missing = qty - (stock.first { $0.id == target }?.available ?? 0)
            if missing <= 0 { return .ready }
            var unreleased: InventoryError?
            let donors = stock.filter { $0.id != target && $0.available > 0 }.sorted { $0.available > $1.available }
            for donor in donors {
                let want = min(donor.available, max(missing, (donor.available + 1) / 2))
                do {
                    missing -= try await moveUnits(from: donor.id, to: target, want: want, least: 1)
                } catch let error as InventoryError where error.code == .notReleasedYet {
                    // Bucket 0 of a scheduled SKU lends only released units.
                    unreleased = error
                }
                if missing <= 0 { return .ready }
            }
            // Bucket 0 refused and no other bucket had a unit to lend: what is left is not
            // released yet. Any other donor was drained meanwhile: look again.
            if let unreleased, donors.count == 1 { throw unreleased }
        }
        return .ready
    }

    /// Moves up to `qty` available units from the other buckets of `sku` into `target`
    /// (whatever `target` has); returns how many moved, or nil when no other bucket had
    /// any (0 when they were drained meanwhile).
    func gather(_ sku: String, records: Int, into target: String, qty: Int64) async throws -> Int64? {
        let donors = try await bucketRecords(of: sku, records: records).filter { $0.id != target && $0.available > 0 }
        guard !donors.isEmpty else { return nil }
        var missing = qty
        for donor in donors where missing > 0 {
            missing -= try await moveUnits(from: donor.id, to: target, want: min(donor.available, missing), least: 1)
        }
        return qty - missing
    }

    /// Units taken out of one of `sku`'s `records` bucket records and not yet cleared
    /// after their credit.
    public func unitsInTransit(of sku: String, records: Int) async throws -> Int64 {
        var units: Int64 = 0
        let partitions = Set(BucketRouting.records(sku: sku, buckets: records).map(keys.partition(of:)))
        for partition in partitions {
            for transfer in try await transfersInFlight(partition: partition)
            where (BucketID(transfer.from)?.sku ?? transfer.from) == sku {
                units += transfer.units
            }
        }
        return units
    }

    /// The `sold_out` refusal of a SKU of several buckets, with the sums the refill found
    /// short (the SKU's `available` and `version` as one consistent read summed them), so
    /// a sold-out gate learns the SKU's state, not one bucket's.
    func soldOut(available: Int64, version: Int64, maxQty: Int64?, perBuyer: Bool) -> InventoryError {
        var error = InventoryError(.soldOut, "not enough available units")
        error.soldOut = SoldOutSnapshot(
            available: available,
            maxQty: maxQty ?? InventoryLimits.defaultMaxQty,
            requiresBuyer: perBuyer,
            version: version
        )
        return error
    }
}

extension Inventory {
    /// A hold as the SKU record `record` keeps it (the hold's `sku` is the record's id,
    /// `<sku>#<b>` for a bucket), or nil when it keeps none for `order`.
    func hold(in record: String, order: String) async throws -> Hold? {
        let names = RecordParsing.holdFieldNames
        let reply = try await withRetry {
            try await redis.send(.hmget(keys.holdKey(sku: record, order: order), fields: names))
        }
        let fields = RecordParsing.fields(names: names, reply: reply)
        return fields.isEmpty ? nil : try RecordParsing.hold(sku: record, order: order, fields: fields)
    }
}
