import HotStockCore

/// The contract's request bodies (DESIGN section 5), parsed: the JSON shape is checked
/// here, the rules (ranges, limits) by the scripts.
enum ContractRequests {
    /// `PUT /v1/skus/{sku}`: `total` (required for a counted SKU, refused for a codes
    /// one: the script knows which the SKU is), `kind`, and config fields.
    static func skuUpdate(_ body: RequestBody) throws(InventoryError) -> SKUUpdate {
        try body.allowOnly(Set(([.total] + SKUField.config).map(\.rawValue)))
        var update = SKUUpdate()
        if let kind = try body.string(SKUField.kind.rawValue) {
            guard let known = SKUKind(rawValue: kind) else {
                throw InventoryError(.invalidArgument, "kind must be \"counted\" or \"codes\"")
            }
            update.kind = known
        }
        update.total = try body.integer(SKUField.total.rawValue)
        update.perBuyerLimit = try body.integerUpdate(SKUField.perBuyerLimit.rawValue)
        update.opensAtMs = try body.integerUpdate(SKUField.opensAtMs.rawValue)
        update.releaseRate = try body.numberUpdate(SKUField.releaseRate.rawValue)
        update.releaseBurst = try body.integerUpdate(SKUField.releaseBurst.rawValue)
        update.defaultTTLMs = try body.integerUpdate(SKUField.defaultTTLMs.rawValue)
        update.maxQty = try body.integerUpdate(SKUField.maxQty.rawValue)
        update.buckets = try body.integer(SKUField.buckets.rawValue)
        return update
    }

    /// `PUT .../holds/{order}`: `qty` (default 1), `buyer`, `ttl_ms`.
    struct HoldRequest {
        var qty: Int64
        var buyer: String?
        var ttlMs: Int64?
    }

    static func hold(_ body: RequestBody) throws(InventoryError) -> HoldRequest {
        let buyerField = HoldField.buyer.rawValue
        try body.allowOnly([HoldField.qty.rawValue, buyerField, "ttl_ms"])
        let qty = try body.integer(HoldField.qty.rawValue) ?? 1
        let buyer: String?
        if case .null = body.fields[buyerField] {
            buyer = nil
        } else {
            buyer = try body.string(buyerField)
        }
        if let buyer { try Identifier.validate(buyer, field: buyerField) }
        let ttl = try body.integer("ttl_ms")
        return HoldRequest(qty: qty, buyer: buyer, ttlMs: ttl)
    }

    /// `POST /v1/skus/{sku}/codes`: `batch` and `codes` (strings); the batch id and the
    /// contract's rules on each code are checked by `Inventory.loadCodes`.
    static func codeBatch(_ body: RequestBody) throws(InventoryError) -> (batch: String, codes: [String]) {
        try body.allowOnly(["batch", "codes"])
        guard let batch = try body.string("batch") else { throw InventoryError(.invalidArgument, "batch is required") }
        guard case .array(let values) = body.fields["codes"] else {
            throw InventoryError(.invalidArgument, "codes must be an array of strings")
        }
        var codes: [String] = []
        codes.reserveCapacity(values.count)
        for value in values {
            guard case .string(let code) = value else {
                throw InventoryError(.invalidArgument, "codes must be an array of strings")
            }
            codes.append(code)
        }
        return (batch, codes)
    }

    /// `POST .../confirm`: optional `reacquire`.
    static func confirm(_ body: RequestBody) throws(InventoryError) -> Bool {
        try body.allowOnly(["reacquire"])
        return try body.bool("reacquire") ?? false
    }

    /// `PUT /v1/orders/{order}`: `lines` (`[{"sku", "qty"}]`, qty 1 when absent),
    /// `buyer`, `ttl_ms`; the order's rules are checked by `Inventory.placeOrder`.
    static func order(_ body: RequestBody) throws(InventoryError) -> OrderRequest {
        try body.allowOnly(["lines", "buyer", "ttl_ms"])
        guard case .array(let values) = body.fields["lines"] else {
            throw InventoryError(.invalidArgument, "lines must be an array of {\"sku\", \"qty\"}")
        }
        var lines: [OrderLine] = []
        for value in values {
            guard case .object(let fields) = value else {
                throw InventoryError(.invalidArgument, "each line must be an object {\"sku\", \"qty\"}")
            }
            let line = RequestBody(fields: fields)
            try line.allowOnly(["sku", "qty"])
            guard let sku = try line.string("sku") else {
                throw InventoryError(.invalidArgument, "each line needs a sku")
            }
            lines.append(OrderLine(sku: sku, qty: try line.integer("qty") ?? 1))
        }
        let hold = try self.hold(RequestBody(fields: body.fields.filter { $0.key != "lines" }))
        return OrderRequest(lines: lines, buyer: hold.buyer, ttlMs: hold.ttlMs)
    }
}
