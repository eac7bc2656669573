import Logging
import MariaDBClient

/// MySQL cold stock (DESIGN section 4): the `skus` and `holds` tables the syncer keeps
/// equal to Redis, read by reconcile and warm.
///
/// Every write is an upsert guarded by version ("set to X" that only moves forward), so
/// applying the same change twice, or an older one after a newer, changes nothing.
public struct ColdStore: Sendable {
    /// The connection pool to MySQL.
    public let pool: MariaDBConnectionPool
    let logger: Logger

    /// Makes a store on a pool.
    public init(pool: MariaDBConnectionPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// The schema migrations embedded from `ops/mysql/`.
    public static var migrations: [Migration] {
        EmbeddedText.mysql.map { Migration(name: $0.key, sql: $0.value) }.sorted { $0.name < $1.name }
    }

    /// Applies the migrations not applied yet; returns their names.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await Migrator(pool: pool, logger: logger).migrate(Self.migrations)
    }

    /// Checks that MySQL answers with this configuration (`SELECT 1`).
    public func ping() async throws {
        try await pool.withConnection { connection in _ = try await connection.query("SELECT 1") }
    }

    // MARK: Reading

    /// Every SKU, ordered by id, with the outbox entry that carried its version.
    public func skus() async throws -> [ColdSKU] {
        try await pool.withConnection { connection in
            try await connection.query("SELECT \(Self.skuColumns) FROM skus ORDER BY sku").map(Self.coldSKU)
        }
    }

    /// One SKU, or `nil`.
    public func sku(_ id: String) async throws -> ColdSKU? {
        try await pool.withConnection { connection in
            try await connection.query("SELECT \(Self.skuColumns) FROM skus WHERE sku = ?", [.text(id)])
                .first.map(Self.coldSKU)
        }
    }

    /// The holds one record of a SKU keeps (bucket 0: the SKU's own): every `held` one,
    /// and final ones that reached their state at or after `finalSinceMs`.
    public func holds(sku: String, bucket: Int = 0, finalSinceMs: Int64 = 0) async throws -> [Hold] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT \(Self.holdColumns) FROM holds
                WHERE sku = ? AND bucket = ? AND (state = 'held' OR final_at_ms >= ?) ORDER BY order_id
                """,
                [.text(sku), .int(Int64(bucket)), .int(finalSinceMs)]
            ).map(Self.hold)
        }
    }

    /// The counters of a spread SKU's buckets 1...N-1 (`sku_buckets`), by bucket; empty
    /// for a SKU of one bucket.
    public func buckets(sku: String) async throws -> [Int: SKU] {
        try await pool.withConnection { connection in
            var found: [Int: SKU] = [:]
            for row in try await connection.query(
                "SELECT bucket, total, available, held, sold, version FROM sku_buckets WHERE sku = ?",
                [.text(sku)]
            ) {
                guard let bucket = row.int("bucket") else { continue }
                found[Int(bucket)] = SKU(
                    id: BucketID(sku: sku, index: Int(bucket)).description,
                    total: row.int("total") ?? 0,
                    available: row.int("available") ?? 0,
                    held: row.int("held") ?? 0,
                    sold: row.int("sold") ?? 0,
                    version: row.int("version") ?? 0,
                    config: SKUConfig()
                )
            }
            return found
        }
    }

    /// A transfer between two buckets that MySQL has only half of.
    public struct OpenTransfer: Sendable, Equatable {
        /// The transfer's id.
        public var id: String
        /// The donor bucket's index.
        public var from: Int
        /// The recipient bucket's index.
        public var to: Int
        /// The units moved.
        public var units: Int64
        /// Whether the donor's debit reached MySQL (else only the credit did).
        public var debited: Bool
    }

    /// The transfers of `sku` whose debit or credit MySQL lacks.
    public func openTransfers(sku: String) async throws -> [OpenTransfer] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT transfer_id, from_bucket, to_bucket, units, debited FROM bucket_transfers
                WHERE sku = ? AND (debited = 0 OR settled = 0) ORDER BY transfer_id
                """,
                [.text(sku)]
            ).map { row in
                OpenTransfer(
                    id: row["transfer_id"] ?? "",
                    from: Int(row.int("from_bucket") ?? 0),
                    to: Int(row.int("to_bucket") ?? 0),
                    units: row.int("units") ?? 0,
                    debited: row.int("debited") == 1
                )
            }
        }
    }

    /// Every hold one record of a SKU keeps (bucket 0: the SKU's own).
    public func allHolds(sku: String, bucket: Int = 0) async throws -> [Hold] {
        try await pool.withConnection { connection in
            try await connection.query(
                "SELECT \(Self.holdColumns) FROM holds WHERE sku = ? AND bucket = ? ORDER BY order_id",
                [.text(sku), .int(Int64(bucket))]
            ).map(Self.hold)
        }
    }

    // MARK: Row mapping

    static let skuColumns = ColdWrites.skuFields.joined(separator: ", ")
    /// One code of a codes SKU as MySQL holds it (sealed).
    public struct ColdCode: Sendable, Equatable {
        public var fingerprint: String
        public var sealed: String
        /// The order it went to; `nil` while in the pool.
        public var order: String?
        public var deliveredAtMs: Int64?
    }

    /// Every code of a codes SKU, in load order within each batch.
    public func codes(sku: String) async throws -> [ColdCode] {
        try await pool.withConnection { connection in
            try await connection.query(
                "SELECT fingerprint, sealed, order_id, delivered_at_ms FROM codes WHERE sku = ? ORDER BY batch, fingerprint",
                [.text(sku)]
            ).map {
                ColdCode(
                    fingerprint: $0["fingerprint"] ?? "",
                    sealed: $0["sealed"] ?? "",
                    order: $0["order_id"],
                    deliveredAtMs: $0.int("delivered_at_ms")
                )
            }
        }
    }

    /// A codes SKU's codes in MySQL: in the pool (no order yet) and assigned to orders.
    public func codeCounts(sku: String) async throws -> (pooled: Int64, assigned: Int64) {
        try await pool.withConnection { connection in
            let row = try await connection.query(
                """
                SELECT COALESCE(SUM(order_id IS NULL), 0) AS pooled, COALESCE(SUM(order_id IS NOT NULL), 0) AS assigned
                FROM codes WHERE sku = ?
                """,
                [.text(sku)]
            ).first
            return (row?.int("pooled") ?? 0, row?.int("assigned") ?? 0)
        }
    }

    /// How many version regressions (Redis lost writes MySQL already had) the syncer
    /// recorded for `skus`.
    public func versionRegressions(skus: [String]) async throws -> Int {
        guard !skus.isEmpty else { return 0 }
        return try await pool.withConnection { connection in
            let row = try await connection.query(
                "SELECT COUNT(*) AS n FROM version_regressions WHERE sku IN ("
                    + Array(repeating: "?", count: skus.count).joined(separator: ", ") + ")",
                skus.map { .text($0) }
            ).first
            return Int(row?.int("n") ?? 0)
        }
    }

    static let holdColumns = ColdWrites.holdFields.joined(separator: ", ")

    static func coldSKU(_ row: MariaDBRow) -> ColdSKU {
        ColdSKU(
            sku: SKU(
                id: row["sku"] ?? "",
                total: row.int(SKUField.total.rawValue) ?? 0,
                available: row.int(SKUField.available.rawValue) ?? 0,
                held: row.int(SKUField.held.rawValue) ?? 0,
                sold: row.int(SKUField.sold.rawValue) ?? 0,
                version: row.int(SKUField.version.rawValue) ?? 0,
                config: SKUConfig(
                    perBuyerLimit: row.int(SKUField.perBuyerLimit.rawValue),
                    opensAtMs: row.int(SKUField.opensAtMs.rawValue),
                    releaseRate: row.double(SKUField.releaseRate.rawValue),
                    releaseBurst: row.int(SKUField.releaseBurst.rawValue),
                    defaultTTLMs: row.int(SKUField.defaultTTLMs.rawValue),
                    maxQty: row.int(SKUField.maxQty.rawValue),
                    buckets: row.int(SKUField.buckets.rawValue),
                    bucketRecords: row.int(SKUField.bucketRecords.rawValue),
                    bucketRoutings: row[SKUField.bucketRoutings.rawValue],
                    spreadTotal: row.int(SKUField.spreadTotal.rawValue)
                ),
                kind: row[SKUField.kind.rawValue].flatMap(SKUKind.init(rawValue:)) ?? .counted
            ),
            lastEventID: row["last_event_id"].flatMap(StreamID.init)
        )
    }

    static func hold(_ row: MariaDBRow) -> Hold {
        Hold(
            sku: row["sku"] ?? "",
            order: row["order_id"] ?? "",
            qty: row.int(HoldField.qty.rawValue) ?? 0,
            buyer: row[HoldField.buyer.rawValue],
            state: row[HoldField.state.rawValue].flatMap(HoldState.init) ?? .held,
            expiresAtMs: row.int(HoldField.expiresAtMs.rawValue) ?? 0,
            createdAtMs: row.int(HoldField.createdAtMs.rawValue) ?? 0,
            finalAtMs: row.int(HoldField.finalAtMs.rawValue),
            version: row.int(HoldField.version.rawValue) ?? 0
        )
    }
}

/// A SKU as MySQL holds it, with the outbox entry that carried its version.
public struct ColdSKU: Sendable, Equatable {
    /// The SKU's counters, config and version.
    public var sku: SKU
    /// The outbox entry that set `sku.version`; `nil` for a row written by a repair.
    public var lastEventID: StreamID?
}
