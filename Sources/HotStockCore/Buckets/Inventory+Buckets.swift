import RedisClient
import Synchronization

extension Inventory {
    /// How many buckets this process last learned `sku` has (1 until it learns more).
    func knownBuckets(of sku: String) -> Int {
        bucketCounts.withLock { $0[sku] ?? 1 }
    }

    /// Notes how many buckets `sku` has (a SKU of one bucket is not kept).
    func learnBuckets(of sku: String, _ buckets: Int) {
        bucketCounts.withLock { $0[sku] = buckets > 1 ? buckets : nil }
    }

    /// How many buckets `sku` has, as its own record says (learned on the way).
    func bucketCount(of sku: String) async throws -> Int {
        let reply = try await withRetry { try await redis.send(.hmget(keys.skuKey(sku), fields: ["buckets"])) }
        let buckets = reply.array?.first?.int.map(Int.init) ?? 1
        learnBuckets(of: sku, buckets)
        return buckets
    }

    /// Spreads `sku`'s stock over `buckets` buckets (DESIGN section 12): the SKU's own
    /// record notes the count, each bucket record is made with a copy of the SKU's config,
    /// and the available units are shared out by transfers. For now a SKU is spread once,
    /// from one bucket, and only a counted SKU without a per-buyer limit or a release
    /// schedule. A process that dies half-way leaves buckets the next hold or spread
    /// makes, and units where they were: exact, only less even.
    func spread(_ sku: String, over buckets: Int) async throws {
        try Identifier.validate(sku, field: "sku")
        let own = try await call(
            HotStockFunction.setBuckets,
            keys: [keys.skuKey(sku), keys.keys(of: sku).eventsKey],
            arguments: [sku, String(buckets)]
        )
        guard own.isOK else { throw own.refusal() }
        let home = try await record(sku)
        try await makeBuckets(of: sku, count: buckets, config: home.config)
        learnBuckets(of: sku, buckets)
        let share = home.available / Int64(buckets)
        guard share > 0 else { return }
        for record in BucketRouting.records(sku: sku, buckets: buckets).dropFirst() {
            _ = try await moveUnits(from: sku, to: record, want: share, least: 1)
        }
    }

    /// Makes (or brings up to date) bucket records 1..<count of `sku`, each with a copy of
    /// the SKU's config (`config`, or as the SKU's record has it).
    func makeBuckets(of sku: String, count: Int, config known: SKUConfig? = nil) async throws {
        let config: SKUConfig
        if let known { config = known } else { config = try await record(sku).config }
        var pairs: [String] = []
        func add(_ field: SKUField, _ value: String?) {
            if let value { pairs += [field.rawValue, value] }
        }
        add(.opensAtMs, config.opensAtMs.map(String.init))
        add(.releaseBurst, config.releaseBurst.map(String.init))
        add(.defaultTTLMs, config.defaultTTLMs.map(String.init))
        add(.maxQty, config.maxQty.map(String.init))
        for record in BucketRouting.records(sku: sku, buckets: count).dropFirst() {
            let located = keys.keys(of: record)
            let reply = try await call(
                HotStockFunction.setBuckets,
                keys: [located.skuKey, located.eventsKey],
                arguments: [record, String(count)] + pairs
            )
            guard reply.isOK else { throw reply.refusal() }
        }
    }

    /// Each bucket of `sku` as it stands (one record for a SKU of one bucket), bucket 0
    /// first: what `hotstock stock show SKU --buckets` prints.
    public func buckets(of sku: String) async throws -> [SKU] {
        try Identifier.validate(sku, field: "sku")
        let own = try await record(sku)
        return try await [own] + bucketRecords(of: sku, buckets: Int(own.config.buckets ?? 1), from: 1)
    }

    /// Each bucket record of `sku` from bucket `first` on, in order (a missing bucket is
    /// left out).
    func bucketRecords(of sku: String, buckets: Int, from first: Int = 0) async throws -> [SKU] {
        try await withThrowingTaskGroup(of: (Int, SKU?).self) { group in
            for (index, record) in BucketRouting.records(sku: sku, buckets: buckets).enumerated().dropFirst(first) {
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

    /// The SKU as its contract shows it: over buckets, the counters and version summed,
    /// the config the SKU's own.
    func summed(_ own: SKU, buckets: Int) async throws -> SKU {
        guard buckets > 1 else { return own }
        var sum = own
        for bucket in try await bucketRecords(of: own.id, buckets: buckets, from: 1) {
            sum.total += bucket.total
            sum.available += bucket.available
            sum.held += bucket.held
            sum.sold += bucket.sold
            sum.version += bucket.version
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
    func refill(_ sku: String, buckets: Int, into target: String, qty: Int64) async throws -> Refill {
        var shortage: [String: Int64]?
        for _ in 0..<8 {
            let stock = try await bucketRecords(of: sku, buckets: buckets)
            let available = stock.reduce(0) { $0 + $1.available }
            if available < qty {
                let versions = Dictionary(uniqueKeysWithValues: stock.map { ($0.id, $0.version) })
                if versions == shortage {
                    return .short(available: available, version: stock.reduce(0) { $0 + $1.version })
                }
                if try await unitsInTransit(of: sku, buckets: buckets) > 0 {
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
            for donor in stock.filter({ $0.id != target && $0.available > 0 }).sorted(by: {
                $0.available > $1.available
            }) {
                let want = min(donor.available, max(missing, (donor.available + 1) / 2))
                missing -= try await moveUnits(from: donor.id, to: target, want: want, least: 1)
                if missing <= 0 { return .ready }
            }
        }
        return .ready
    }

    /// Units taken out of one of `sku`'s buckets and not yet cleared after their credit.
    func unitsInTransit(of sku: String, buckets: Int) async throws -> Int64 {
        var units: Int64 = 0
        let partitions = Set(BucketRouting.records(sku: sku, buckets: buckets).map(keys.partition(of:)))
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
    func soldOut(available: Int64, version: Int64, maxQty: Int64?) -> InventoryError {
        var error = InventoryError(.soldOut, "not enough available units")
        error.soldOut = SoldOutSnapshot(
            available: available,
            maxQty: maxQty ?? InventoryLimits.defaultMaxQty,
            requiresBuyer: false,
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
