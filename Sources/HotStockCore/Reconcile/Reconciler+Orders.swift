/// Orders of several SKUs in reconcile (DESIGN section 14): each order's log in Redis
/// against its row (state and version), and in MySQL each order's lines against its
/// state — a confirmed order confirmed on every line, a held one holding every line (or
/// a line just expired, which recovery ends the order for within seconds), an ended one
/// holding and selling none. Orders between two steps are left to recovery. With `only`,
/// the orders with a line of one of those SKUs.
extension Reconciler {
    func compareOrders(only: Set<String>?, into comparison: inout Comparison) async throws {
        let wanted = { (lines: [OrderLine]) in only.map { skus in lines.contains { skus.contains($0.sku) } } ?? true }
        var hot: [String: OrderRecord] = [:]
        for id in try await inventory.orderIDs() {
            if let record = try? await inventory.orderRecord(id), wanted(record.lines) { hot[id] = record }
        }
        let stored = Dictionary(
            uniqueKeysWithValues: try await cold.orders(withLinesOf: only).filter { wanted($0.lines) }
                .map { ($0.order, $0) }
        )
        for (id, record) in hot.sorted(by: { $0.key < $1.key }) {
            comparison.report.compared += 1
            guard let row = stored[id] else {
                comparison.report.drift.append(Drift(kind: "order", id: id, field: "exists", redis: "yes", mysql: "-"))
                comparison.ordersToWrite.append(OrderEvent(record: record))
                continue
            }
            if row.state != record.state || row.version != record.version {
                comparison.report.drift.append(
                    Drift(
                        kind: "order",
                        id: id,
                        field: "state",
                        redis: "\(record.state.rawValue) v\(record.version)",
                        mysql: "\(row.state.rawValue) v\(row.version)"
                    )
                )
                comparison.ordersToWrite.append(OrderEvent(record: record))
            }
        }
        let settled = stored.values.filter { !$0.state.isTransient }.sorted { $0.order < $1.order }
        let lineStates = try await cold.lineStates(of: settled.map(\.order))
        for row in settled {
            let states = row.lines.map { lineStates["\($0.sku)/\(row.order)"] }
            if !Self.linesAgree(row.state, states) {
                comparison.report.drift.append(
                    Drift(
                        kind: "order",
                        id: row.order,
                        field: "lines",
                        redis: "-",
                        mysql: "\(row.state.rawValue): " + states.map { $0?.rawValue ?? "none" }.joined(separator: ",")
                    )
                )
            }
        }
    }

    /// Whether an order in state `state` may have lines in `states` (nil: no hold).
    static func linesAgree(_ state: OrderState, _ states: [HoldState?]) -> Bool {
        switch state {
        case .held: states.allSatisfy { $0 == .held || $0 == .expired }
        case .confirmed: states.allSatisfy { $0 == .confirmed }
        default: !states.contains { $0 == .held || $0 == .confirmed }
        }
    }
}
