import RedisClient

/// One step of an order's saga recorded in a partition's outbox (op `order`, DESIGN
/// section 14): the order's log as it stood after the step. Applying it is "set to X",
/// guarded by the log's version.
public struct OrderEvent: Sendable, Equatable {
    /// The stream entry id.
    public var id: StreamID
    /// The order id.
    public var order: String
    /// Where the saga is.
    public var state: OrderState
    /// The buyer every line names, if any.
    public var buyer: String?
    /// The lines, `SKU:QTY,...`.
    public var lines: String
    /// When the order was placed (Redis clock, Unix ms).
    public var createdAtMs: Int64
    /// When a held order expires.
    public var expiresAtMs: Int64?
    /// When it reached a final state.
    public var finalAtMs: Int64?
    /// A failed order's refusal (or `hold_expired`), and the line that caused it.
    public var error: String?
    public var errorSKU: String?
    /// The log's version after the step.
    public var version: Int64

    init(
        id: StreamID,
        order: String,
        state: OrderState,
        buyer: String?,
        lines: String,
        createdAtMs: Int64,
        expiresAtMs: Int64?,
        finalAtMs: Int64?,
        error: String?,
        errorSKU: String?,
        version: Int64
    ) {
        self.id = id
        self.order = order
        self.state = state
        self.buyer = buyer
        self.lines = lines
        self.createdAtMs = createdAtMs
        self.expiresAtMs = expiresAtMs
        self.finalAtMs = finalAtMs
        self.error = error
        self.errorSKU = errorSKU
        self.version = version
    }

    /// Parses a stream entry `[id, [field, value, ...]]` of op `order`; nil for any other.
    init?(entry: RedisReply) {
        guard let (id, fields) = OutboxEvent.parse(entry), fields["op"] == "order", let order = fields["order"],
            let state = fields["state"].flatMap(OrderState.init(rawValue:)),
            let version = fields["order_version"].flatMap({ Int64($0) }),
            let created = fields["created_at_ms"].flatMap({ Int64($0) }), let lines = fields["lines"]
        else { return nil }
        self.init(
            id: id,
            order: order,
            state: state,
            buyer: fields["buyer"],
            lines: lines,
            createdAtMs: created,
            expiresAtMs: fields["expires_at_ms"].flatMap { Int64($0) },
            finalAtMs: fields["final_at_ms"].flatMap { Int64($0) },
            error: fields["error"],
            errorSKU: fields["error_sku"],
            version: version
        )
    }
}

extension OrderEvent {
    /// The order's log as Redis keeps it, as a row to write (reconcile's repair).
    init(record: OrderRecord) {
        self.init(
            id: StreamID(milliseconds: 0, sequence: 0),
            order: record.order,
            state: record.state,
            buyer: record.buyer,
            lines: record.request.encodedLines,
            createdAtMs: record.createdAtMs,
            expiresAtMs: record.expiresAtMs,
            finalAtMs: record.finalAtMs,
            error: record.error,
            errorSKU: record.errorSKU,
            version: record.version
        )
    }
}
