import RedisClient

/// Orders of several SKUs (DESIGN section 14): a saga over ordinary holds keyed (sku,
/// order), its log a record in the order's partition (`hs_order_begin`,
/// `hs_order_mark`). Every step is idempotent, so a retry repeats what a dead process
/// may have done.
extension Inventory {
    /// How long a saga step may stay unfinished before recovery may take it over.
    static let orderRecoveryAfterMs: Int64 = 10_000

    /// Holds every line of `request` for `order`, or none: when a line is refused, the
    /// lines already held are released before the refusal (that line's, its `sku` set)
    /// is thrown. The same request again answers the order as it stands (a refused one,
    /// the same refusal); a changed one is `idempotency_conflict`.
    public func placeOrder(_ order: String, _ request: OrderRequest) async throws -> (order: Order, created: Bool) {
        try Identifier.validate(order, field: "order")
        try request.validate()
        let located = orderKeys(order)
        let begun = try await call(
            HotStockFunction.orderBegin,
            keys: located,
            arguments: [
                order, request.canonical, request.buyer ?? "", request.encodedLines,
                request.ttlMs.map(String.init) ?? "", String(Self.orderRecoveryAfterMs),
            ]
        )
        guard begun.isOK else { throw begun.refusal() }
        switch OrderState(rawValue: begun["state"] ?? "") {
        case .placing:
            try await holdLines(order, request)
        case .compensating:
            try await compensate(order, request.lines, error: begun["error"], sku: begun["error_sku"])
        case .failed:
            throw refusal(code: begun["error"], sku: begun["error_sku"])
        default:
            break
        }
        return (try await self.order(order), begun["created"] == "1")
    }

    /// Reads an order and the state of each line's hold.
    public func order(_ order: String) async throws -> Order {
        try Identifier.validate(order, field: "order")
        let names = ["state", "buyer", "lines", "created_at_ms", "expires_at_ms", "final_at_ms", "version"]
        let reply = try await withRetry { try await redis.send(.hmget(keys.orderKey(order), fields: names)) }
        let values = (reply.array ?? []).map(\.string)
        guard values.count == names.count, let state = values[0].flatMap(OrderState.init(rawValue:)) else {
            throw InventoryError(.orderNotFound, "no order \(order)")
        }
        var lines = Self.decodeLines(values[2] ?? "")
        for index in lines.indices {
            lines[index].state = try? await hold(sku: lines[index].sku, order: order).state
        }
        return Order(
            order: order,
            state: state,
            buyer: values[1],
            lines: lines,
            createdAtMs: values[3].flatMap { Int64($0) } ?? 0,
            expiresAtMs: values[4].flatMap { Int64($0) },
            finalAtMs: values[5].flatMap { Int64($0) },
            version: values[6].flatMap { Int64($0) } ?? 0
        )
    }

    /// Holds the lines, in the order of their SKU ids whatever the request's: orders that
    /// share SKUs take them in the same order, so two of them do not each hold what the
    /// other lacks and both give up (as locks taken in one order do not deadlock). On a
    /// refusal compensates and throws it.
    private func holdLines(_ order: String, _ request: OrderRequest) async throws {
        var expiresAt = Int64.max
        let lines = request.lines.sorted { $0.sku < $1.sku }
        for (index, line) in lines.enumerated() {
            let refusal: InventoryError
            do {
                let placed = try await placeHold(
                    sku: line.sku,
                    order: order,
                    qty: line.qty,
                    buyer: request.buyer,
                    ttlMs: request.ttlMs
                )
                if placed.hold.state == .held {
                    expiresAt = min(expiresAt, placed.hold.expiresAtMs)
                    continue
                }
                // A hold of this (sku, order) that ended already cannot be this line's.
                refusal = InventoryError(.idempotencyConflict, "order \(order) already holds a different request")
            } catch let error as InventoryError where error.code != .unavailable {
                refusal = error
            }
            guard
                try await mark(
                    order,
                    from: .placing,
                    to: .compensating,
                    ["error", refusal.code.rawValue, "error_sku", line.sku]
                )
            else { return }
            try await compensate(order, Array(lines.prefix(index)), error: refusal.code.rawValue, sku: line.sku)
        }
        _ = try await mark(order, from: .placing, to: .held, ["expires_at_ms", String(expiresAt)])
    }

    /// Releases `lines` (those a refused order may have held), marks the order failed and
    /// throws its refusal.
    private func compensate(_ order: String, _ lines: [OrderLine], error: String?, sku: String?) async throws {
        for line in lines {
            do {
                _ = try await release(sku: line.sku, order: order)
            } catch let error as InventoryError where [.holdNotFound, .holdReleased, .holdExpired].contains(error.code)
            {
                continue
            }
        }
        _ = try await mark(order, from: .compensating, to: .failed, [])
        throw refusal(code: error, sku: sku)
    }

    /// Moves the order's log from `from` to `to`; false when another process (or
    /// recovery) moved it first.
    private func mark(_ order: String, from: OrderState, to: OrderState, _ fields: [String]) async throws -> Bool {
        let reply = try await call(
            HotStockFunction.orderMark,
            keys: orderKeys(order),
            arguments: [
                order, from.rawValue, to.rawValue, String(configuration.retentionMs), String(Self.orderRecoveryAfterMs),
            ] + fields
        )
        if reply.outcome == "moved" { return false }
        guard reply.isOK else { throw reply.refusal() }
        return true
    }

    private func refusal(code: String?, sku: String?) -> InventoryError {
        var error = InventoryError(
            InventoryError.Code(reply: code ?? "") ?? .unavailable,
            "line \(sku ?? "?") of the order was refused: \(code ?? "unknown")"
        )
        error.sku = sku
        return error
    }

    private func orderKeys(_ order: String) -> [String] {
        [keys.orderKey(order), keys.openOrdersKey(partition: keys.partition(of: order))]
    }

    static func decodeLines(_ text: String) -> [OrderLine] {
        text.split(separator: ",").compactMap { part in
            guard let colon = part.lastIndex(of: ":"), let qty = Int64(part[part.index(after: colon)...]) else {
                return nil
            }
            return OrderLine(sku: String(part[..<colon]), qty: qty)
        }
    }
}
