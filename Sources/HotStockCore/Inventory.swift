import Logging
import RedisClient
import Synchronization

/// The hot-stock engine: SKUs, holds, confirms, releases and expiry, each one atomic
/// Redis function (see `lua/`).
///
/// Every operation is idempotent, so when Redis cannot be reached (a restart, a
/// dropped connection) the operation is retried with backoff for up to
/// ``InventoryConfiguration/retryBudget`` before it fails with `unavailable`.
/// Refusals by the rules are thrown as ``InventoryError``; anything else Redis says
/// wrong is thrown as `RedisError`.
public final class Inventory: Sendable {
    /// The key layout in use.
    public let keys: KeySpace
    /// The configuration in use.
    public let configuration: InventoryConfiguration
    /// The Redis pool the engine talks through.
    public let redis: RedisConnectionPool
    let library: RedisFunctionLibrary
    /// The logger the engine writes to.
    public let logger: Logger
    /// How many buckets each SKU spread over several has, as this process last learned.
    let bucketCounts = Mutex<[String: Int]>([:])

    /// Makes an engine on a Redis pool. Call ``prepare()`` once before serving.
    public convenience init(
        redis: RedisConnectionPool,
        configuration: InventoryConfiguration = .init(),
        logger: Logger
    ) {
        self.init(redis: redis, configuration: configuration, logger: logger, libraryCode: HotStockLibrary.code)
    }

    /// Makes an engine whose library is `libraryCode` (tests load an instrumented copy).
    init(redis: RedisConnectionPool, configuration: InventoryConfiguration, logger: Logger, libraryCode: String) {
        self.redis = redis
        self.configuration = configuration
        self.keys = configuration.keySpace
        self.logger = logger
        self.library = RedisFunctionLibrary(name: HotStockLibrary.name, code: libraryCode, pool: redis)
    }

    /// Loads the scripts into Redis (`FUNCTION LOAD REPLACE`) and brings a data set of
    /// an earlier version to this version's key layout (``adoptLegacyKeys()``).
    public func prepare() async throws {
        try await withRetry { try await library.load() }
        try await adoptLegacyKeys()
    }

    /// Whether Redis answers and holds HotStock's functions; a Redis that answers but has
    /// lost them (a restart without persistence, `FUNCTION FLUSH`) gets them loaded again.
    public func isReady() async -> Bool {
        do {
            if try await library.isLoaded() { return true }
            try await library.load()
            return true
        } catch {
            return false
        }
    }

    // MARK: SKUs

    /// Creates a SKU or applies an update to it. Returns the SKU after the change and
    /// whether it was created.
    /// With `buckets` above one on a new SKU, its stock is then spread over them (DESIGN
    /// section 12). A SKU spread over buckets takes only a PUT that changes nothing, for now.
    public func setSKU(_ sku: String, _ update: SKUUpdate) async throws -> (sku: SKU, created: Bool) {
        try Identifier.validate(sku, field: "sku")
        if let buckets = update.buckets, !(1...Int64(BucketID.maxBuckets)).contains(buckets) {
            throw InventoryError(.invalidArgument, "buckets must be an integer in 1..\(BucketID.maxBuckets)")
        }
        if try await bucketCount(of: sku) > 1 {
            let current = try await self.sku(sku)
            guard update.changesNothing(of: current) else {
                throw InventoryError(.invalidArgument, "a SKU spread over buckets cannot be changed yet")
            }
            return (current, false)
        }
        let result = try await setRecord(sku, update)
        guard let buckets = result.sku.config.buckets, buckets > 1 else { return result }
        try await spread(sku, over: Int(buckets))
        return (try await self.sku(sku), result.created)
    }

    /// Creates or updates the SKU record `sku`: a SKU, or one of its buckets (`<sku>#<b>`).
    func setRecord(_ sku: String, _ update: SKUUpdate) async throws -> (sku: SKU, created: Bool) {
        let config = update.scriptArguments()
        let located = keys.keys(of: sku)
        let reply = try await call(
            HotStockFunction.setSKU,
            keys: [located.skuKey, located.eventsKey, located.codeSKUsKey],
            arguments: [sku, update.total.map(String.init) ?? ""] + config
        )
        guard reply.isOK else { throw reply.refusal() }
        return (try RecordParsing.sku(id: sku, fields: reply.fields), reply["created"] == "1")
    }

    /// The SKU's current stock and config.
    /// Over several buckets (DESIGN section 12), the counters and version are their sums.
    public func sku(_ sku: String) async throws -> SKU {
        try Identifier.validate(sku, field: "sku")
        let own = try await record(sku)
        let buckets = Int(own.config.buckets ?? 1)
        learnBuckets(of: sku, buckets)
        return try await summed(own, buckets: buckets)
    }

    /// The SKU record `sku` as it stands: a SKU, or one of its buckets (`<sku>#<b>`).
    func record(_ sku: String) async throws -> SKU {
        let names = RecordParsing.skuFieldNames
        let reply = try await withRetry { try await redis.send(.hmget(keys.skuKey(sku), fields: names)) }
        let fields = RecordParsing.fields(names: names, reply: reply)
        guard !fields.isEmpty else { throw InventoryError(.skuNotFound, "no SKU \(sku)") }
        return try RecordParsing.sku(id: sku, fields: fields)
    }

    // MARK: Holds

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
        let names = RecordParsing.holdFieldNames
        var buckets = knownBuckets(of: sku)
        for attempt in 0..<2 {
            let record = BucketRouting.record(sku: sku, order: order, buckets: buckets)
            let reply = try await withRetry {
                try await redis.send(.hmget(keys.holdKey(sku: record, order: order), fields: names))
            }
            let fields = RecordParsing.fields(names: names, reply: reply)
            if !fields.isEmpty { return try RecordParsing.hold(sku: sku, order: order, fields: fields) }
            // Not where this process looked: the SKU may have been spread since it learned it.
            guard attempt == 0 else { break }
            let actual = try await bucketCount(of: sku)
            if actual == buckets { break }
            buckets = actual
        }
        throw InventoryError(.holdNotFound, "no hold for order \(order)")
    }

    // MARK: Expiry

    /// Expires up to `limit` due holds of one partition (the sweeper's batch), in two
    /// steps so that every key a script touches is declared: `hs_due` reads which holds
    /// are due (Redis clock), then `hs_expire` expires those still held and due, with
    /// each one's SKU, hold and buyers keys.
    public func expireDue(partition: Int, limit: Int) async throws -> ExpiryBatch {
        precondition((0..<keys.partitions).contains(partition), "no partition \(partition)")
        let expiryKey = keys.expiryKey(partition: partition)
        let due = try await call(
            HotStockFunction.due,
            keys: [expiryKey, keys.transfersKey(partition: partition)],
            arguments: [String(min(max(1, limit), InventoryLimits.maxExpireBatch))],
            writes: false
        )
        guard due.isOK else { throw due.refusal() }
        let lagMs = try due.requireInt("lag_ms")
        let transfers = Int(due.int("transfers") ?? 0)
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
            return ExpiryBatch(expired: 0, lagMs: lagMs, dueLeft: 0, transfersInFlight: transfers)
        }
        let reply = try await call(HotStockFunction.expire, keys: holdKeys, arguments: arguments)
        guard reply.isOK else { throw reply.refusal() }
        return ExpiryBatch(
            expired: Int(try reply.requireInt("expired")),
            lagMs: lagMs,
            dueLeft: Int(try reply.requireInt("due_left")),
            transfersInFlight: transfers
        )
    }

    // MARK: Plumbing

    private func holdKeys(_ located: SKUKeys, order: String) -> [String] {
        [located.skuKey, located.holdKey(order: order), located.expiryKey, located.eventsKey, located.buyersKey]
    }

    private func transition(
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

    /// Calls one of HotStock's functions, retrying while Redis is unreachable; with
    /// ``InventoryConfiguration/waitReplicas``, answers only once the change reached
    /// them (else `unavailable`: the change happened, the client retries the same request).
    /// A function that never writes (`writes: false`) waits for nothing.
    func call(_ function: String, keys: [String], arguments: [String], writes: Bool = true) async throws -> ScriptReply
    {
        let replicas = writes ? configuration.waitReplicas : 0
        let reply: RedisReply
        do {
            reply = try await withRetry {
                try await library.call(
                    function,
                    keys: keys,
                    arguments: arguments,
                    replicas: replicas,
                    replicaTimeoutMs: Int(configuration.replicaTimeout.wholeMilliseconds),
                    wrote: Self.callWrote
                )
            }
        } catch let error as RedisError where error.code == .notReplicated {
            logger.warning("a change did not reach its replicas in time", metadata: ["error": "\(error)"])
            throw InventoryError(
                .unavailable,
                "the change did not reach \(replicas) replica(s) in time; retry the same request",
                retryAfterMilliseconds: 1000
            )
        }
        return try ScriptReply(reply)
    }

    /// Whether a function's reply comes from a call that wrote: `ok`, or `hold_expired`
    /// (a confirm or release that expired an overdue hold first); every other refusal
    /// is decided before the first write.
    static func callWrote(_ reply: RedisReply) -> Bool {
        guard let outcome = reply.array?.first?.string else { return true }
        return outcome == "ok" || outcome == InventoryError.Code.holdExpired.rawValue
    }

    /// Runs a Redis operation, retrying with backoff while Redis is unreachable.
    func withRetry<T>(_ operation: () async throws -> T) async throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.retryBudget
        var delay = Duration.milliseconds(10)
        while true {
            do {
                return try await operation()
            } catch let error as RedisError where error.isTransient {
                guard clock.now + delay < deadline else {
                    logger.error("Redis unreachable", metadata: ["error": "\(error)"])
                    throw InventoryError(.unavailable, "Redis is unreachable", retryAfterMilliseconds: 1000)
                }
                logger.debug("Redis unreachable, retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .milliseconds(250))
            }
        }
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
}
