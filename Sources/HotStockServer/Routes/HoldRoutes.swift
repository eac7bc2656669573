import HotStockCore
import Hummingbird
import Metrics

/// The hold routes: place, read, confirm, release.
struct HoldRoutes {
    let inventory: Inventory
    let maxBodyBytes: Int
    let outcomes: HoldOutcomeMetrics
    let buyerLimiter: RateLimiter?

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
            do {
                let placement = try await inventory.placeHold(
                    sku: sku,
                    order: order,
                    qty: hold.qty,
                    buyer: hold.buyer,
                    ttlMs: hold.ttlMs
                )
                outcomes.record(placement.created ? "created" : "repeated")
                return ContractResponse.json(HoldBody(placement.hold), status: placement.created ? .created : .ok)
            } catch let error as InventoryError {
                outcomes.record(error.code.rawValue)
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
            let confirmation = try await inventory.confirm(sku: sku, order: order, reacquire: reacquire)
            return ContractResponse.json(HoldBody(confirmation.hold, reacquired: confirmation.reacquired))
        }
        group.post("/v1/skus/{sku}/holds/{order}/release") { request, context in
            let sku = try context.identifier("sku")
            let order = try context.identifier("order")
            let body = try RequestBody(try await request.contractBody(limit: maxBodyBytes), optional: true)
            try body.allowOnly([])
            return ContractResponse.json(HoldBody(try await inventory.release(sku: sku, order: order)))
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
