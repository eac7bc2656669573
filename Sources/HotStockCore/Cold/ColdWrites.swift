import MariaDBClient

/// The version-guarded upserts of cold stock, as multi-row statements.
///
/// Rows go in chunks of 64, 32, ... 1, so at most seven statement shapes exist per
/// table and each is prepared once per connection.
enum ColdWrites {
    /// The `skus` columns, in the order of ``values(_:)-(SKU)``, then the version of the
    /// config and the event id.
    static let skuFields =
        ["sku"] + (SKUField.counters + SKUField.config).map(\.rawValue) + ["config_version", "last_event_id"]
    /// The `skus` columns an event without config writes: the counters and the event id.
    static let skuCounterFields = ["sku"] + SKUField.counters.map(\.rawValue) + ["last_event_id"]
    /// The `sku_buckets` columns written from a bucket record's event.
    static let bucketCounterFields = ["sku", "bucket"] + SKUField.counters.map(\.rawValue) + ["last_event_id"]
    /// The `holds` columns, in the order of ``values(_:)-(Hold)``.
    static let holdFields = ["sku", "order_id", "bucket"] + HoldField.stored.map(\.rawValue)

    /// The version (and the outbox entry that carried it) MySQL has for a SKU record: the
    /// `skus` row of a SKU, the `sku_buckets` row of one of its buckets.
    static func storedVersion(of record: String, on connection: isolated MariaDBConnection) throws -> MariaDBRow? {
        if let bucket = BucketID(record) {
            return try connection.query(
                "SELECT version, last_event_id FROM sku_buckets WHERE sku = ? AND bucket = ?",
                [.text(bucket.sku), .int(Int64(bucket.index))]
            ).first
        }
        return try connection.query("SELECT version, last_event_id FROM skus WHERE sku = ?", [.text(record)]).first
    }

    /// Writes whole SKU rows, counters and config (an event that set the config, or a
    /// repair); with `force`, unconditionally, else the counters only where the row's
    /// version is newer than the stored one and the config only where it is newer than
    /// the stored config's.
    static func upsertSKUs(_ rows: [(SKU, StreamID?)], force: Bool, on connection: isolated MariaDBConnection)
        throws
    {
        let config = Set(SKUField.config.map(\.rawValue))
        try chunked(rows) { chunk in
            let sql = statement(
                table: "skus",
                fields: skuFields,
                keys: 1,
                rows: chunk.count,
                force: force,
                guardedBy: { config.contains($0) ? "config_version" : "version" }
            )
            try connection.execute(
                sql,
                chunk.flatMap { sku, eventID in values(sku) + [.int(sku.version), .text(eventID?.description ?? "")] }
            )
        }
    }

    /// Writes the counters of SKU rows (an event that did not set the config), only where
    /// the row's version is newer than the stored one.
    static func upsertSKUCounters(_ rows: [(SKU, StreamID?)], on connection: isolated MariaDBConnection) throws {
        try upsertCounters(table: "skus", fields: skuCounterFields, keys: 1, rows, force: false, on: connection) {
            sku in
            [.text(sku.id)]
        }
    }

    /// Writes the counters of bucket rows (`sku_buckets`), only where the row's version is
    /// newer than the stored one.
    static func upsertBucketCounters(
        _ rows: [(SKU, StreamID?)],
        force: Bool = false,
        on connection: isolated MariaDBConnection
    ) throws {
        try upsertCounters(
            table: "sku_buckets",
            fields: bucketCounterFields,
            keys: 2,
            rows,
            force: force,
            on: connection
        ) {
            sku in
            let bucket = BucketID(sku.id)
            return [.text(bucket?.sku ?? sku.id), .int(Int64(bucket?.index ?? 0))]
        }
    }

    private static func upsertCounters(
        table: String,
        fields: [String],
        keys: Int,
        _ rows: [(SKU, StreamID?)],
        force: Bool,
        on connection: isolated MariaDBConnection,
        key: (SKU) -> [MariaDBValue]
    ) throws {
        try chunked(rows) { chunk in
            let sql = statement(table: table, fields: fields, keys: keys, rows: chunk.count, force: force)
            try connection.execute(
                sql,
                chunk.flatMap { sku, eventID in
                    key(sku) + [
                        .int(sku.total), .int(sku.available), .int(sku.held), .int(sku.sold), .int(sku.version),
                        .text(eventID?.description ?? ""),
                    ]
                }
            )
        }
    }

    /// Writes hold rows; with `force`, unconditionally, else only moving forward.
    static func upsertHolds(_ holds: [Hold], force: Bool, on connection: isolated MariaDBConnection) throws {
        try chunked(holds) { chunk in
            let sql = statement(table: "holds", fields: holdFields, keys: 2, rows: chunk.count, force: force)
            try connection.execute(sql, chunk.flatMap(values))
        }
    }

    /// Writes orders' rows (one per order), each guarded by the log's version.
    static func upsertOrders(_ orders: [OrderEvent], force: Bool, on connection: isolated MariaDBConnection) throws {
        try chunked(orders) { chunk in
            let sql = statement(table: "orders", fields: orderFields, keys: 1, rows: chunk.count, force: force)
            try connection.execute(
                sql,
                chunk.flatMap { order in
                    [
                        .text(order.order), .text(order.state.rawValue), .text(order.buyer), .text(order.lines),
                        .int(order.createdAtMs), .int(order.expiresAtMs), .int(order.finalAtMs), .text(order.error),
                        .text(order.errorSKU), .int(order.version),
                    ] as [MariaDBValue]
                }
            )
        }
    }

    static let orderFields = [
        "order_id", "state", "buyer", "order_lines", "created_at_ms", "expires_at_ms", "final_at_ms", "error",
        "error_sku", "version",
    ]

    /// The transfer part of an event: a debit (`transfer_out`) marks its transfer
    /// `debited`, a credit (`transfer_in`) `settled` — a credit back to the donor
    /// (`<id>:back`) settles the transfer it returns. Whichever arrives first makes the row.
    static func applyTransfer(_ event: OutboxEvent, on connection: isolated MariaDBConnection) throws {
        guard let transfer = event.transfer, event.op == "transfer_out" || event.op == "transfer_in" else { return }
        let own = BucketID(event.sku.id) ?? BucketID(sku: event.sku.id, index: 0)
        let peer = BucketID(transfer.peer) ?? BucketID(sku: transfer.peer, index: 0)
        let debit = event.op == "transfer_out"
        let back = !debit && transfer.id.hasSuffix(":back")
        // The transfer's donor and recipient: a debit's own record gives; a credit's
        // receives, unless it returns units, whose own record was the donor.
        let (from, to) = debit || back ? (own, peer) : (peer, own)
        let id = back ? String(transfer.id.dropLast(":back".count)) : transfer.id
        let flag = debit ? "debited" : "settled"
        try connection.execute(
            """
            INSERT INTO bucket_transfers (transfer_id, sku, from_bucket, to_bucket, units, \(flag))
            VALUES (?, ?, ?, ?, ?, 1) ON DUPLICATE KEY UPDATE \(flag) = 1
            """,
            [.text(id), .text(own.sku), .int(Int64(from.index)), .int(Int64(to.index)), .int(transfer.units)]
        )
    }

    /// The code pool part of an event: a loaded batch's codes, the codes a confirm assigned
    /// to its order, the first delivery of an order's codes — each event carries the
    /// sealed codes it concerns, and every column only ever goes from unset to set, so
    /// the events may be applied in any order and any number of times.
    static func applyCodes(_ event: OutboxEvent, on connection: isolated MariaDBConnection) throws {
        guard ["codes", "confirm", "deliver"].contains(event.op), !event.codes.isEmpty else { return }
        let assigned = event.op == "codes" ? nil : event.hold
        let rows: [[MariaDBValue]] = event.codes.compactMap { entry in
            let parts = entry.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            return [
                .text(event.sku.id), .text(parts[0]), .text(parts[1]), .text(event.batch ?? ""),
                .text(assigned?.order), .int(assigned?.finalAtMs), .int(assigned?.firstDeliveredAtMs),
            ]
        }
        try chunked(rows) { chunk in
            let placeholders = Array(repeating: "(?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            try connection.execute(
                """
                INSERT INTO codes (sku, fingerprint, sealed, batch, order_id, assigned_at_ms, delivered_at_ms)
                VALUES \(placeholders)
                ON DUPLICATE KEY UPDATE batch = IF(batch = '', VALUES(batch), batch),
                  order_id = COALESCE(order_id, VALUES(order_id)),
                  assigned_at_ms = COALESCE(assigned_at_ms, VALUES(assigned_at_ms)),
                  delivered_at_ms = COALESCE(delivered_at_ms, VALUES(delivered_at_ms))
                """,
                chunk.flatMap { $0 }
            )
        }
    }

    static func values(_ sku: SKU) -> [MariaDBValue] {
        [
            .text(sku.id), .int(sku.total), .int(sku.available), .int(sku.held), .int(sku.sold), .int(sku.version),
            .int(sku.config.perBuyerLimit), .int(sku.config.opensAtMs), .double(sku.config.releaseRate),
            .int(sku.config.releaseBurst), .int(sku.config.defaultTTLMs), .int(sku.config.maxQty),
            .text(sku.kind.rawValue), .int(sku.config.buckets), .int(sku.config.bucketRecords),
            .text(sku.config.bucketRoutings), .int(sku.config.spreadTotal),
        ]
    }

    /// A hold's row: a hold of a bucket record is its SKU's, with the bucket noted.
    static func values(_ hold: Hold) -> [MariaDBValue] {
        let bucket = BucketID(hold.sku)
        return [
            .text(bucket?.sku ?? hold.sku), .text(hold.order), .int(Int64(bucket?.index ?? 0)), .int(hold.qty),
            .text(hold.buyer), .text(hold.state.rawValue),
            .int(hold.expiresAtMs), .int(hold.createdAtMs), .int(hold.finalAtMs), .int(hold.version),
        ]
    }

    private static func chunked<Row>(_ rows: [Row], _ write: (ArraySlice<Row>) throws -> Void) rethrows {
        var start = rows.startIndex
        var size = 64
        while start < rows.endIndex {
            while size > rows.endIndex - start { size /= 2 }
            try write(rows[start..<start + size])
            start += size
        }
    }

    /// `INSERT ... ON DUPLICATE KEY UPDATE` where each column after the `keys` first moves
    /// only when the new row's version column that guards it (`guardedBy`, `version` by
    /// default) is higher; the version columns are assigned last, since MySQL evaluates
    /// the assignments left to right against the updated row.
    private static func statement(
        table: String,
        fields: [String],
        keys: Int,
        rows: Int,
        force: Bool,
        guardedBy guardColumn: (String) -> String = { _ in "version" }
    ) -> String {
        let tuple = "(" + Array(repeating: "?", count: fields.count).joined(separator: ", ") + ")"
        let versions = Set(fields.dropFirst(keys).map(guardColumn))
        let updates = fields.dropFirst(keys).filter { !versions.contains($0) }.map { field in
            let version = guardColumn(field)
            return force
                ? "\(field) = VALUES(\(field))"
                : "\(field) = IF(VALUES(\(version)) > \(version), VALUES(\(field)), \(field))"
        }
        let versionUpdates = versions.sorted().map { version in
            force ? "\(version) = VALUES(\(version))" : "\(version) = GREATEST(\(version), VALUES(\(version)))"
        }
        return """
            INSERT INTO \(table) (\(fields.joined(separator: ", "))) VALUES \
            \(Array(repeating: tuple, count: rows).joined(separator: ", ")) \
            ON DUPLICATE KEY UPDATE \((updates + versionUpdates).joined(separator: ", "))
            """
    }
}
