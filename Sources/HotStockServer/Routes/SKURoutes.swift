import Foundation
import HotStockCore
import Hummingbird

/// `PUT /v1/skus/{sku}` (admin) and `GET /v1/skus/{sku}`.
struct SKURoutes {
    let inventory: Inventory
    let maxBodyBytes: Int
    /// The sold-out gate, told of every change (a raised total may bring units back).
    var gate: SoldOutGate? = nil

    func addAdmin<Context: RequestContext>(to group: RouterGroup<Context>) {
        group.put("/v1/skus/{sku}") { request, context in
            let sku = try context.identifier("sku")
            let body = try RequestBody(try await request.contractBody(limit: maxBodyBytes), optional: false)
            let update = try ContractRequests.skuUpdate(body)
            let result = try await inventory.setSKU(sku, update)
            gate?.drop(sku: sku)
            return ContractResponse.json(SKUBody(result.sku))
        }
    }

    func addReads<Context: RequestContext>(to group: RouterGroup<Context>) {
        group.get("/v1/skus/{sku}") { _, context in
            ContractResponse.json(SKUBody(try await inventory.sku(try context.identifier("sku"))))
        }
    }
}

extension RequestContext {
    /// A path parameter that must be a valid id (400 `invalid_argument` otherwise).
    func identifier(_ name: String) throws(InventoryError) -> String {
        let raw = parameters.get(name) ?? ""
        // Foundation's percent decoding is costly, and an id of the contract needs none.
        let value = raw.utf8.contains(UInt8(ascii: "%")) ? raw.removingPercentEncoding ?? raw : raw
        try Identifier.validate(value, field: name)
        return value
    }
}
