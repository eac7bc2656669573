import HotStockCore

/// The invariants of orders of several SKUs (DESIGN section 14), after recovery: no
/// order partly held, partly confirmed or partly released, none left between two steps,
/// and every order a client saw held or confirmed still so (or ended as the rules say).
extension InvariantChecker {
    /// How long recovery may take to finish the orders a dead process left: its delay
    /// (10 s by default) and a few sweeps.
    static let orderRecoveryWait: Duration = .seconds(30)

    func checkOrders(into findings: inout Findings) async throws {
        let fates = ledger.orderFates
        var orders: [String: Order] = [:]
        let deadline = ContinuousClock.now + Self.orderRecoveryWait
        var pending = fates.keys.sorted()
        while !pending.isEmpty {
            var unsettled: [String] = []
            for id in pending {
                do {
                    let order = try await inventory.order(id)
                    orders[id] = order
                    if order.state.isTransient { unsettled.append(id) }
                } catch let error as InventoryError where error.code == .orderNotFound {
                    orders[id] = nil
                }
            }
            pending = unsettled
            if pending.isEmpty || ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        for (id, fate) in fates.sorted(by: { $0.key < $1.key }) {
            guard let order = orders[id] else {
                if fate != .tried {
                    findings.acknowledgedLost += 1
                    findings.violations.append("acknowledged order \(id) is gone from Redis")
                }
                continue
            }
            findings.ordersChecked += 1
            let states = order.lines.map(\.state)
            let whole: Bool
            switch order.state {
            case .held: whole = states.allSatisfy { $0 == .held }
            case .confirmed: whole = states.allSatisfy { $0 == .confirmed }
            case .released, .expired, .failed: whole = !states.contains { $0 == .held || $0 == .confirmed }
            case .placing, .compensating, .confirming, .releasing: whole = false
            }
            if !whole {
                findings.partialOrders += 1
                findings.violations.append(
                    "order \(id) is \(order.state.rawValue) with lines "
                        + states.map { $0?.rawValue ?? "none" }.joined(separator: ",")
                )
            }
            if fate == .confirmed && order.state != .confirmed {
                findings.acknowledgedLost += 1
                findings.violations.append("confirmed order \(id) is \(order.state.rawValue) in Redis")
            }
            if fate == .held && order.state == .failed {
                findings.acknowledgedLost += 1
                findings.violations.append("order \(id) was answered held and is failed in Redis")
            }
        }
    }
}
