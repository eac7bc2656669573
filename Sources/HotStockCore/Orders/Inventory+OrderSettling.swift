import Logging

/// Confirming and releasing an order of several SKUs (DESIGN section 14). A confirm
/// first pins every line (`hs_pin`: no line can expire while the order confirms), notes
/// in the log that it is confirming with every line pinned, and only then confirms the
/// lines: from there it only goes forward. A line found expired (or released) before
/// that releases the rest instead.
extension Inventory {
    /// How long a pinned line keeps its units at least: far beyond the seconds recovery
    /// takes to finish a confirm a dead process left.
    static let orderPinMs: Int64 = 3_600_000

    /// Confirms every line of `order` (payment succeeded) and answers the order. When a
    /// line has expired, the others are released and `hold_expired` (with that line's
    /// `sku`) thrown; with `reacquire`, expired lines take their units again first, when
    /// stock and the SKU's rules allow — while the order is held: once recovery has
    /// ended it (its last line expired) it stays expired. Repeats answer the same.
    public func confirmOrder(_ order: String, reacquire: Bool = false) async throws -> Order {
        for _ in 0..<Self.orderRounds {
            let record = try await orderRecord(order)
            switch record.state {
            case .held:
                try await finishConfirming(record, reacquire: reacquire)
            case .confirming:
                try await finishConfirming(record)
            case .releasing:
                try await finishReleasing(record)
            case .confirmed:
                return try await self.order(order)
            case .released:
                throw InventoryError(.holdReleased, "order \(order) was released")
            case .expired:
                throw expired(record)
            case .placing, .compensating, .failed:
                throw InventoryError.orderNotHeld(
                    order,
                    placing: record.state == .placing,
                    error: record.error,
                    sku: record.errorSKU
                )
            }
        }
        throw InventoryError(.unavailable, "order \(order) kept moving; retry", retryAfterMilliseconds: 50)
    }

    /// Releases every line of `order` (the buyer cancelled) and answers the order. A
    /// confirmed order (or one whose lines are all pinned for its confirm) is
    /// `hold_confirmed`, an expired one `hold_expired`. Repeats answer the same.
    public func releaseOrder(_ order: String) async throws -> Order {
        for _ in 0..<Self.orderRounds {
            let record = try await orderRecord(order)
            switch record.state {
            case .held, .confirming:
                if record.pinned {
                    try await finishConfirming(record)
                    continue
                }
                if try await mark(order, from: record.state, to: .releasing, ["outcome", OrderState.released.rawValue])
                {
                    try await finishReleasing(try await orderRecord(order))
                }
            case .releasing:
                try await finishReleasing(record)
            case .released:
                return try await self.order(order)
            case .confirmed:
                throw InventoryError(.holdConfirmed, "order \(order) was confirmed")
            case .expired:
                throw expired(record)
            case .placing, .compensating, .failed:
                throw InventoryError.orderNotHeld(
                    order,
                    placing: record.state == .placing,
                    error: record.error,
                    sku: record.errorSKU
                )
            }
        }
        throw InventoryError(.unavailable, "order \(order) kept moving; retry", retryAfterMilliseconds: 50)
    }

    /// How many times a confirm or release reads the order again after another process
    /// moved it.
    static let orderRounds = 8

    /// Walks a held or confirming order forward: pins every line unless the log says
    /// they are pinned, notes it (a held order moves to confirming in that same step),
    /// confirms every line, marks the order confirmed. A line that cannot be pinned turns
    /// the order to releasing (expired). Returns when the order has moved on (whoever
    /// moved it); when it moved to an end while this process was pinning, the lines are
    /// released again here, so a pin that came late holds nothing. Lines pinned by a
    /// process that died before noting it are a held order's lines still: its expiry (or
    /// a release) ends them all.
    func finishConfirming(_ record: OrderRecord, reacquire: Bool? = nil) async throws {
        let order = record.order
        let lines = record.sortedLines
        if record.pinned {
            // Taken over (a retry, recovery): the pins are kept alive however long the
            // confirm stalled, and a line that lapsed regardless is taken again.
            for line in lines { _ = try? await pin(line, of: order, reacquire: true) }
        } else {
            let retake = reacquire ?? record.reacquire
            for line in lines {
                do {
                    try await pin(line, of: order, reacquire: retake)
                } catch let error as InventoryError where error.code != .unavailable {
                    // The line expired (and could not be taken again), or was released.
                    let fields = [
                        "outcome", OrderState.expired.rawValue, "error", InventoryError.Code.holdExpired.rawValue,
                        "error_sku", line.sku,
                    ]
                    if try await mark(order, from: record.state, to: .releasing, fields) {
                        try await finishReleasing(try await orderRecord(order))
                    } else {
                        try await releaseIfEnded(order)
                    }
                    return
                }
            }
            let noted = ["reacquire", retake ? "1" : "0", "pinned", "1"]
            guard try await mark(order, from: record.state, to: .confirming, noted) else {
                return try await releaseIfEnded(order)
            }
        }
        for (index, line) in lines.enumerated() {
            do {
                // Pinned, so held until long after this; reacquire only should a stall outlast the pin.
                _ = try await confirm(sku: line.sku, order: order, reacquire: true, byOrder: true)
            } catch let error as InventoryError where error.code != .unavailable {
                // Only a hold changed behind the order's back (a hold route on the same
                // order id) or lapsed and sold out gets here: the order cannot be whole.
                logger.error(
                    "a pinned order's line cannot be confirmed: the order is partly confirmed",
                    metadata: ["order": "\(order)", "sku": "\(line.sku)", "error": "\(error.code.rawValue)"]
                )
                throw InventoryError(.unavailable, "order \(order) cannot confirm line \(line.sku); retry later")
            }
            OrderFaultPoint.reached(.confirm, line: index + 1, configuration.orderFaultPoint)
        }
        _ = try await mark(order, from: .confirming, to: .confirmed, [])
    }

    /// Pins one line's hold for the order's confirm (`hs_pin`).
    private func pin(_ line: OrderLine, of order: String, reacquire: Bool) async throws {
        _ = try await transition(
            HotStockFunction.pin,
            sku: line.sku,
            order: order,
            extra: [reacquire ? "1" : "0", String(Self.orderPinMs)]
        )
    }

    /// After a confirm lost the race to a release or to recovery: when the order is
    /// ending or has ended, its lines are released (again), so a line this process pinned
    /// after the releaser passed it does not stay held.
    private func releaseIfEnded(_ order: String) async throws {
        let now = try await orderRecord(order)
        guard [.releasing, .released, .expired].contains(now.state) else { return }
        for line in now.sortedLines { try await releaseLine(line.sku, order) }
    }

    /// Walks a releasing order forward: releases every line, marks the order with the
    /// outcome its log names (released, or expired when a line had expired).
    func finishReleasing(_ record: OrderRecord) async throws {
        for (index, line) in record.sortedLines.enumerated() {
            try await releaseLine(line.sku, record.order)
            OrderFaultPoint.reached(.release, line: index + 1, configuration.orderFaultPoint)
        }
        _ = try await mark(record.order, from: .releasing, to: record.outcome ?? .released, [])
    }

    /// What an expired order answers: `hold_expired`, with the line that expired when
    /// one was found expired at a confirm.
    private func expired(_ record: OrderRecord) -> InventoryError {
        var error = InventoryError(.holdExpired, "order \(record.order) expired")
        if let sku = record.errorSKU {
            error = InventoryError.orderRefusal(code: InventoryError.Code.holdExpired.rawValue, sku: sku)
            error.message = "line \(sku) of order \(record.order) had expired; the others were released"
        }
        return error
    }
}
