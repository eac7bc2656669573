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
    /// How each SKU spread over several buckets routes its holds, as this process last
    /// learned it.
    let bucketLayouts = Mutex<[String: BucketLayout]>([:])

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
    /// A change of `buckets` (DESIGN section 12) spreads the SKU's stock over that many
    /// buckets, also while a sale runs (``spread(_:over:)``). A SKU spread over buckets
    /// takes no other change, for now.
    public func setSKU(_ sku: String, _ update: SKUUpdate) async throws -> (sku: SKU, created: Bool) {
        try Identifier.validate(sku, field: "sku")
        if let buckets = update.buckets, !(1...Int64(BucketID.maxBuckets)).contains(buckets) {
            throw InventoryError(.invalidArgument, "buckets must be an integer in 1..\(BucketID.maxBuckets)")
        }
        var rest = update
        rest.buckets = nil
        if !(try await bucketLayout(of: sku)).isPlain {
            let current = try await self.sku(sku)
            guard rest.changesNothing(of: current) else {
                throw InventoryError(
                    .invalidArgument,
                    "a SKU spread over buckets takes no change but of its buckets, for now"
                )
            }
            guard let buckets = update.buckets, buckets != current.config.buckets ?? 1 else { return (current, false) }
            try await spread(sku, over: Int(buckets))
            return (try await self.sku(sku), false)
        }
        // A new SKU is made with its count; an existing one changes it after the rest,
        // which must not go in when the count cannot change.
        let exists = try await withRetry { try await redis.send(.exists(keys.skuKey(sku))) }.int == 1
        if exists, let buckets = update.buckets, buckets > 1, try await record(sku).kind == .codes {
            throw InventoryError(.invalidArgument, "a codes SKU keeps one bucket")
        }
        let result = try await setRecord(sku, exists ? rest : update)
        guard let buckets = update.buckets, buckets > 1 else { return result }
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
        let layout = BucketLayout(own.config)
        learn(layout, of: sku)
        return try await summed(own, records: layout.records)
    }

    /// The SKU record `sku` as it stands: a SKU, or one of its buckets (`<sku>#<b>`).
    func record(_ sku: String) async throws -> SKU {
        let names = RecordParsing.skuFieldNames
        let reply = try await withRetry { try await redis.send(.hmget(keys.skuKey(sku), fields: names)) }
        let fields = RecordParsing.fields(names: names, reply: reply)
        guard !fields.isEmpty else { throw InventoryError(.skuNotFound, "no SKU \(sku)") }
        return try RecordParsing.sku(id: sku, fields: fields)
    }

    // MARK: Plumbing

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
