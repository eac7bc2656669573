import Logging

/// Recovery of orders of several SKUs (DESIGN section 14), run by the sweeper: an order
/// a dead process left between two steps is finished (placing, confirming, releasing) or
/// compensated (compensating), and a held order past its expiry releases every line, so
/// an order's lines end together and no unit stays held for a dead order.
extension Inventory {
    /// Takes over the orders of `partition` that recovery should handle now (at most
    /// `limit`); returns how many it finished. Any number of sweepers may run it: each
    /// order is leased to one for a while, and every step is idempotent besides.
    public func recoverOrders(partition: Int, limit: Int) async throws -> Int {
        precondition((0..<keys.partitions).contains(partition), "no partition \(partition)")
        let due = try await call(
            HotStockFunction.orderDue,
            keys: [keys.openOrdersKey(partition: partition)],
            arguments: [
                String(min(max(1, limit), InventoryLimits.maxExpireBatch)), String(configuration.orderRecoveryAfterMs),
            ]
        )
        guard due.isOK else { throw due.refusal() }
        let orders = (due["orders"] ?? "").split(separator: ",").map(String.init)
        // Several at once: each order's steps wait on Redis one after another, and the
        // sweeper's hold expiry waits for the pass.
        return await withTaskGroup(of: Bool.self) { group in
            var recovered = 0
            for (index, order) in orders.enumerated() {
                if index >= Self.ordersRecoveredAtOnce, await group.next() == true { recovered += 1 }
                group.addTask { await self.recoverOrderLogging(order) }
            }
            for await done in group where done { recovered += 1 }
            return recovered
        }
    }

    /// How many orders one sweeper recovers at once.
    static let ordersRecoveredAtOnce = 16

    /// Recovers one order; false (logged) when it could not be finished now, to try on a
    /// later pass.
    private func recoverOrderLogging(_ order: String) async -> Bool {
        do {
            try await recoverOrder(order)
            return true
        } catch {
            logger.warning("recovering an order failed", metadata: ["order": "\(order)", "error": "\(error)"])
            return false
        }
    }

    /// Finishes or compensates one order as its log says.
    func recoverOrder(_ order: String) async throws {
        let record: OrderRecord
        do {
            record = try await orderRecord(order)
        } catch let error as InventoryError where error.code == .orderNotFound {
            return
        }
        logger.info("recovering an order", metadata: ["order": "\(order)", "state": "\(record.state.rawValue)"])
        switch record.state {
        case .placing:
            // Placed forward: every hold is idempotent, a refused line compensates (and
            // throws the order's refusal, which is the order's answer, not a failure).
            try await answeringRefusal(order) { try await holdLines(order, record.request) }
        case .compensating:
            try await answeringRefusal(order) {
                try await compensate(order, record.lines, error: record.error, sku: record.errorSKU)
            }
        case .held:
            // Due because its expiry passed: its lines end together.
            if try await mark(order, from: .held, to: .releasing, ["outcome", OrderState.expired.rawValue]) {
                try await finishReleasing(try await orderRecord(order))
            }
        case .confirming:
            try await finishConfirming(record)
        case .releasing:
            try await finishReleasing(record)
        case .confirmed, .released, .expired, .failed:
            return
        }
    }

    /// Runs a placing step; a refusal it throws once the order has failed is its answer.
    private func answeringRefusal(_ order: String, _ step: () async throws -> Void) async throws {
        do {
            try await step()
        } catch let error as InventoryError where error.code != .unavailable {
            guard try await orderRecord(order).state == .failed else { throw error }
        }
    }
}
