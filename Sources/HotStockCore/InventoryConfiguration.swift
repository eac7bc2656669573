/// How the inventory engine runs. Every field has a sensible default.
public struct InventoryConfiguration: Sendable {
    /// The partitioning of the data set (`HOTSTOCK_PARTITIONS`, default 16).
    public var keySpace: KeySpace
    /// How long a final hold keeps its record, so retries of the same order are answered
    /// the same (default 24 h).
    public var retentionMs: Int64
    /// How long an operation keeps retrying while Redis is unreachable before it fails
    /// with `unavailable`. Every operation is idempotent, so a retry is safe.
    public var retryBudget: Duration
    /// Seals and opens the codes of codes SKUs (`HOTSTOCK_CODE_KEY`); without it code
    /// pools can be neither loaded nor delivered.
    public var codeSealer: CodeSealer?
    /// How many replicas must take a state change before it is acknowledged
    /// (`HOTSTOCK_WAIT_REPLICAS`, default 0: Redis's asynchronous replication). With N,
    /// every function call is followed by `WAIT N`; a change fewer replicas took within
    /// ``replicaTimeout`` answers `unavailable`, and the client retries the same request.
    public var waitReplicas = 0
    /// How long a change waits for its replicas (`WAIT`'s timeout).
    public var replicaTimeout: Duration = .seconds(1)
    /// For crash tests only (`HOTSTOCK_FAULT_ORDER_STEP`): the step of an order's saga at
    /// which the process kills itself (`kill -9`), so a test can show recovery finishes
    /// or compensates an order left there. Nil in every real deployment.
    public var orderFaultPoint: OrderFaultPoint?
    /// How long a step of an order's saga may stay unfinished before recovery takes the
    /// order over, as one whose process died (`HOTSTOCK_ORDER_RECOVERY_MS`, default 10 s:
    /// far longer than any step takes).
    public var orderRecoveryAfterMs: Int64 = 10_000

    /// Makes a configuration.
    public init(
        keySpace: KeySpace = KeySpace(),
        retentionMs: Int64 = 86_400_000,
        retryBudget: Duration = .seconds(10),
        codeSealer: CodeSealer? = nil
    ) {
        self.keySpace = keySpace
        self.retentionMs = retentionMs
        self.retryBudget = retryBudget
        self.codeSealer = codeSealer
    }
}

/// Limits of the contract (DESIGN section 5). The scripts enforce them: they reach Lua
/// through ``LuaSchemaPrelude``, so this is their one definition.
public enum InventoryLimits {
    /// The largest total or quantity the engine accepts (exact in Lua's doubles).
    public static let maxCount: Int64 = 1_000_000_000_000
    /// The largest timestamp accepted (9999-12-31).
    public static let maxTimeMs: Int64 = 253_402_300_799_999
    /// The shortest and longest hold TTL.
    public static let ttlRange: ClosedRange<Int64> = 1_000...86_400_000
    /// The TTL of a hold when neither the request nor the SKU names one.
    public static let defaultTTLMs: Int64 = 900_000
    /// The most units one hold may take when the SKU sets no `max_qty`.
    public static let defaultMaxQty: Int64 = 1_000
    /// The largest `max_qty` a SKU may set.
    public static let maxMaxQty: Int64 = 1_000_000
    /// The longest idempotency retention of final holds (30 days).
    public static let maxRetentionMs: Int64 = 30 * 86_400_000
    /// The most codes one batch may load.
    public static let maxCodesPerBatch = 10_000
    /// The most codes one outbox entry carries: a batch's codes go in entries of this
    /// many, so no entry (and no syncer read) grows with the batch.
    public static let codesPerOutboxEntry = 1_000
    /// The most codes one `hs_warm_stage` call stages, so no call of a warm blocks Redis
    /// for long.
    public static let maxWarmStageCodes = 1_000
    /// The most holds one sweeper batch (`hs_due`, then `hs_expire`) handles.
    public static let maxExpireBatch = 10_000
    /// The longest code, in characters from `!` to `~`.
    public static let maxCodeLength = 256
}
