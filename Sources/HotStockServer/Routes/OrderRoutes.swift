import HotStockCore
import Hummingbird

/// The order routes (DESIGN section 14): place every line or none, read, confirm every
/// line, release every line.
struct OrderRoutes {
    let inventory: Inventory
    let maxBodyBytes: Int
    /// Hears of units an order returned; `nil` when the gate is turned off.
    let gate: SoldOutGate?
    /// Reports the stock of the SKUs ordered; `nil` in tests that run no monitor.
    var monitor: OperationsMonitor? = nil

    func add<Context: RequestContext>(to group: RouterGroup<Context>) {
        group.put("/v1/orders/{order}") { request, context in
            let order = try context.identifier("order")
            let body = try RequestBody(try await request.contractBody(limit: maxBodyBytes), optional: false)
            let request = try ContractRequests.order(body)
            let placed = try await returningUnits(of: request.lines) { try await inventory.placeOrder(order, request) }
            for line in request.lines { monitor?.watch(line.sku) }
            return ContractResponse.json(OrderBody(try placed.order.answer()), status: placed.created ? .created : .ok)
        }
        group.get("/v1/orders/{order}") { _, context in
            ContractResponse.json(OrderBody(try await inventory.order(try context.identifier("order")).answer()))
        }
        group.post("/v1/orders/{order}/confirm") { request, context in
            let order = try context.identifier("order")
            let body = try RequestBody(try await request.contractBody(limit: maxBodyBytes), optional: true)
            let reacquire = try ContractRequests.confirm(body)
            let confirmed: Order
            do {
                confirmed = try await inventory.confirmOrder(order, reacquire: reacquire)
            } catch let error as InventoryError where error.code == .holdExpired {
                // A line had expired: the others were released.
                for line in (try? await inventory.order(order).lines) ?? [] { gate?.drop(sku: line.sku) }
                throw error
            }
            return ContractResponse.json(OrderBody(confirmed))
        }
        group.post("/v1/orders/{order}/release") { request, context in
            let order = try context.identifier("order")
            let body = try RequestBody(try await request.contractBody(limit: maxBodyBytes), optional: true)
            try body.allowOnly([])
            let released = try await inventory.releaseOrder(order)
            for line in released.lines { gate?.drop(sku: line.sku) }
            return ContractResponse.json(OrderBody(released))
        }
    }

    /// Places an order; when a line is refused the lines held before it return their
    /// units, and the sold-out gate forgets what it learned of those SKUs before the
    /// answer leaves (the restock messages tell the other servers).
    private func returningUnits<Result>(of lines: [OrderLine], _ body: () async throws -> Result) async throws
        -> Result
    {
        do {
            return try await body()
        } catch let error as InventoryError {
            for line in lines { gate?.drop(sku: line.sku) }
            throw error
        }
    }
}
