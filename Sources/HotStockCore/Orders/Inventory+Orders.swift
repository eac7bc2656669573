import Logging
import RedisClient

/// Orders of several SKUs (DESIGN section 14): a saga over ordinary holds keyed (sku,
/// order), its log a record in the order's partition (`hs_order_begin`,
/// `hs_order_mark`). Every step is idempotent, so a retry or recovery repeats what a
/// dead process may have done.
extension Inventory {
    /// Holds every line of `request` for `order`, or none: when a line is refused, the
    /// lines already held are released before the refusal (that line's, its `sku` set)
    /// is thrown. The same request again answers the order as it stands (a refused one,
    /// the same refusal); a changed one is `idempotency_conflict`.
    public func placeOrder(_ order: String, _ request: OrderRequest) async throws -> (order: Order, created: Bool) {
        try Identifier.validate(order, field: "order")
        try request.validate()
        let begun = try await call(
            HotStockFunction.orderBegin,
            keys: orderKeys(order),
            arguments: [
                order, request.canonical, request.buyer ?? "", request.encodedLines,
                request.ttlMs.map(String.init) ?? "", String(configuration.orderRecoveryAfterMs),
            ]
        )
        guard begun.isOK else { throw begun.refusal() }
        switch OrderState(rawValue: begun["state"] ?? "") {
        case .placing:
            try await holdLines(order, request)
        case .compensating:
            try await compensate(order, request.lines, error: begun["error"], sku: begun["error_sku"])
        case .failed:
            throw InventoryError.orderRefusal(code: begun["error"], sku: begun["error_sku"])
        default:
            break
        }
        return (try await self.order(order), begun["created"] == "1")
    }

    /// Reads an order and the state of each line's hold.
    public func order(_ order: String) async throws -> Order {
        let record = try await orderRecord(order)
        var lines = record.lines
        for index in lines.indices {
            lines[index].state = try? await hold(sku: lines[index].sku, order: order).state
        }
        return Order(
            order: order,
            state: record.state,
            buyer: record.buyer,
            lines: lines,
            createdAtMs: record.createdAtMs,
            expiresAtMs: record.expiresAtMs,
            finalAtMs: record.finalAtMs,
            version: record.version,
            error: record.error,
            errorSKU: record.errorSKU
        )
    }

    /// The order's log as it stands; `order_not_found` when there is none.
    func orderRecord(_ order: String) async throws -> OrderRecord {
        try Identifier.validate(order, field: "order")
        let reply = try await withRetry {
            try await redis.send(.hmget(keys.orderKey(order), fields: OrderRecord.fields))
        }
        guard let record = OrderRecord(order: order, values: (reply.array ?? []).map(\.string)) else {
            throw InventoryError(.orderNotFound, "no order \(order)")
        }
        return record
    }

    /// Holds the lines, in the order of their SKU ids whatever the request's: orders that
    /// share SKUs take them in the same order, so two of them do not each hold what the
    /// other lacks and both give up (as locks taken in one order do not deadlock). On a
    /// refusal compensates and throws it. Recovery runs it again for an order whose
    /// process died placing it: every hold is idempotent.
    func holdLines(_ order: String, _ request: OrderRequest) async throws {
        var expiresAt = Int64.max
        var lastExpiry = Int64.min
        let lines = request.lines.sorted { $0.sku < $1.sku }
        for (index, line) in lines.enumerated() {
            let refusal: InventoryError
            do {
                let placed = try await placeHold(
                    sku: line.sku,
                    order: order,
                    qty: line.qty,
                    buyer: request.buyer,
                    ttlMs: request.ttlMs,
                    orderLine: true
                )
                OrderFaultPoint.reached(.hold, line: index + 1, configuration.orderFaultPoint)
                if placed.hold.state == .held {
                    expiresAt = min(expiresAt, placed.hold.expiresAtMs)
                    lastExpiry = max(lastExpiry, placed.hold.expiresAtMs)
                    continue
                }
                // A hold of this (sku, order) that ended already: it expired while the order
                // was being placed (an outage longer than its TTL), recovery compensated the
                // order meanwhile, or the id was used for a hold of the SKU's own.
                refusal =
                    placed.hold.state == .expired
                    ? InventoryError(.holdExpired, "line \(line.sku) expired before the order was placed")
                    : InventoryError(.idempotencyConflict, "order \(order) already holds a different request")
            } catch let error as InventoryError where error.code != .unavailable {
                refusal = error
            }
            if try await mark(
                order,
                from: .placing,
                to: .compensating,
                [
                    "error", refusal.code.rawValue, "error_sku", line.sku,
                ]
            ) {
                try await compensate(order, Array(lines.prefix(index)), error: refusal.code.rawValue, sku: line.sku)
            }
            return try await settleLostPlacing(order, lines)
        }
        // The order is payable until its first line expires; recovery ends it once its
        // last has, so every line ends expired (a line released a moment before its own
        // expiry could not be taken again by a confirm with reacquire).
        let held = ["expires_at_ms", String(expiresAt), "last_expiry_ms", String(lastExpiry)]
        if try await !mark(order, from: .placing, to: .held, held) {
            try await settleLostPlacing(order, lines)
        }
    }

    /// This process placed lines while recovery (or a retry) moved the order on: when
    /// the order is compensating or failed, the lines this process may have held since
    /// are released too, and the order's refusal thrown.
    private func settleLostPlacing(_ order: String, _ lines: [OrderLine]) async throws {
        let record = try await orderRecord(order)
        guard record.state == .compensating || record.state == .failed else { return }
        try await compensate(order, lines, error: record.error, sku: record.errorSKU)
    }

    /// Releases `lines` (those a refused order may have held), marks the order failed and
    /// throws its refusal. A line refused `idempotency_conflict` is not released: the hold
    /// its (sku, order) names is not the order's.
    func compensate(_ order: String, _ lines: [OrderLine], error: String?, sku: String?) async throws {
        let foreign = error == InventoryError.Code.idempotencyConflict.rawValue ? sku : nil
        for (index, line) in lines.enumerated() where line.sku != foreign {
            try await releaseLine(line.sku, order)
            OrderFaultPoint.reached(.compensate, line: index + 1, configuration.orderFaultPoint)
        }
        _ = try await mark(order, from: .compensating, to: .failed, [])
        throw InventoryError.orderRefusal(code: error, sku: sku)
    }

    /// Releases one line's hold; a hold already ended or never placed is no error. A
    /// confirmed one is not the order's to release (a hold route on the same order id
    /// confirmed it): it is logged and left.
    func releaseLine(_ sku: String, _ order: String) async throws {
        do {
            _ = try await release(sku: sku, order: order, byOrder: true)
        } catch let error as InventoryError where [.holdNotFound, .holdReleased, .holdExpired].contains(error.code) {
            return
        } catch let error as InventoryError where error.code == .holdConfirmed {
            logger.warning("an ended order's line is confirmed", metadata: ["order": "\(order)", "sku": "\(sku)"])
        }
    }

    /// Moves the order's log from `from` to `to`; false when another process (or
    /// recovery) moved it first.
    func mark(_ order: String, from: OrderState, to: OrderState, _ fields: [String]) async throws -> Bool {
        let reply = try await call(
            HotStockFunction.orderMark,
            keys: orderKeys(order),
            arguments: [
                order, from.rawValue, to.rawValue, String(configuration.retentionMs),
                String(configuration.orderRecoveryAfterMs),
            ] + fields
        )
        if reply.outcome == "moved" { return false }
        guard reply.isOK else { throw reply.refusal() }
        return true
    }

    /// The order's record, its partition's open orders and outbox.
    func orderKeys(_ order: String) -> [String] {
        let partition = keys.partition(of: order)
        return [keys.orderKey(order), keys.openOrdersKey(partition: partition), keys.eventsKey(partition: partition)]
    }
}
