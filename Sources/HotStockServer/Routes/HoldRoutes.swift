import HotStockCore
import Hummingbird
import Metrics

/// The hold routes: place, read, confirm, release.
struct HoldRoutes {
    let inventory: Inventory
    let maxBodyBytes: Int
    let outcomes: HoldOutcomeMetrics
    let buyerLimiter: RateLimiter?
    /// Answers holds of SKUs known sold out without Redis; `nil` when turned off.
    let gate: SoldOutGate?
    /// Reports the stock of the SKUs held; `nil` in tests that run no monitor.
    var monitor: OperationsMonitor? = nil

    func add<Context: RequestContext>(to group: RouterGroup<Context>) {
        group.put("/v1/skus/{sku}/holds/{order}") { request, context in
            let sku = try context.identifier("sku")
            let order = try context.identifier("order")
            let body = try RequestBody(try await request.contractBody(limit: maxBodyBytes), optional: true)
            let hold = try ContractRequests.hold(body)
            if let buyer = hold.buyer, let wait = buyerLimiter?.take("buyer:\(buyer)") {
                outcomes.record(InventoryError.Code.rateLimited.rawValue)
                throw InventoryError(
                    .rateLimited,
                    "this buyer sends faster than its rate",
                    retryAfterMilliseconds: wait * 1000
                )
            }
            var ticket: SoldOutGate.Ticket?
            switch gate?.admit(sku: sku, qty: hold.qty, hasBuyer: hold.buyer != nil, ttlMs: hold.ttlMs) {
            case .refuse(let refusal):
                // Answered here rather than thrown: the gate's answer is the cheap path.
                outcomes.record(refusal.code.rawValue)
                return ContractResponse.error(refusal)
            case .pass(let granted):
                ticket = granted
            case nil:
                break
            }
            do {
                let placement = try await inventory.placeHold(
                    sku: sku,
                    order: order,
                    qty: hold.qty,
                    buyer: hold.buyer,
                    ttlMs: hold.ttlMs
                )
                outcomes.record(placement.created ? "created" : "repeated")
                // A SKU that took a hold exists: its stock is worth a curve.
                monitor?.watch(sku)
                return ContractResponse.json(HoldBody(placement.hold), status: placement.created ? .created : .ok)
            } catch let error as InventoryError {
                outcomes.record(error.code.rawValue)
                if let ticket { gate?.learn(sku: sku, refusal: error, ticket: ticket) }
                throw error
            }
        }
        group.get("/v1/skus/{sku}/holds/{order}") { _, context in
            ContractResponse.json(
                HoldBody(
                    try await inventory.hold(sku: try context.identifier("sku"), order: try context.identifier("order"))
                )
            )
        }
        group.post("/v1/skus/{sku}/holds/{order}/confirm") { request, context in
            let sku = try context.identifier("sku")
            let order = try context.identifier("order")
            let body = try RequestBody(try await request.contractBody(limit: maxBodyBytes), optional: true)
            let reacquire = try ContractRequests.confirm(body)
            let confirmation = try await returningUnits(of: sku) {
                try await inventory.confirm(sku: sku, order: order, reacquire: reacquire)
            }
            return ContractResponse.json(HoldBody(confirmation.hold, reacquired: confirmation.reacquired))
        }
        group.post("/v1/skus/{sku}/holds/{order}/release") { request, context in
            let sku = try context.identifier("sku")
            let order = try context.identifier("order")
            let body = try RequestBody(try await request.contractBody(limit: maxBodyBytes), optional: true)
            try body.allowOnly([])
            let hold = try await returningUnits(of: sku) { try await inventory.release(sku: sku, order: order) }
            gate?.drop(sku: sku)
            return ContractResponse.json(HoldBody(hold))
        }
    }

    /// Runs a confirm or release; when it finds its hold overdue, it expires it first
    /// and the units are back: the sold-out gate hears of it before the answer leaves.
    private func returningUnits<Result>(of sku: String, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as InventoryError where error.code == .holdExpired {
            gate?.drop(sku: sku)
            throw error
        }
    }
}

/// `hotstock_hold_outcomes_total{code=...}`: how hold requests ended.
final class HoldOutcomeMetrics: Sendable {
    private let counters: [String: Counter]

    init() {
        let codes = ["created", "repeated"] + InventoryError.Code.httpCodes.map(\.rawValue)
        counters = Dictionary(
            uniqueKeysWithValues: codes.map {
                ($0, Counter(label: "hotstock_hold_outcomes_total", dimensions: [("code", $0)]))
            }
        )
    }

    func record(_ code: String) {
        counters[code]?.increment()
    }
}
