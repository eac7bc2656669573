import HotStockCore
import Hummingbird

/// Code pools (DESIGN section 5b): loading a batch (admin) and fetching the codes of a
/// confirmed hold (API token).
struct CodeRoutes {
    let inventory: Inventory
    /// Largest batch body accepted (413 above): 4 MiB.
    let maxBatchBytes: Int
    /// Cold stock, for the codes of orders Redis no longer holds (past their retention).
    let cold: ColdStore?

    func addAdmin<Context: RequestContext>(to group: RouterGroup<Context>) {
        group.post("/v1/skus/{sku}/codes") { request, context in
            let sku = try context.identifier("sku")
            let body = try RequestBody(try await request.contractBody(limit: maxBatchBytes), optional: false)
            let batch = try ContractRequests.codeBatch(body)
            let result = try await inventory.loadCodes(sku: sku, batch: batch.batch, codes: batch.codes)
            return ContractResponse.json(CodeBatchBody(result))
        }
    }

    func addReads<Context: RequestContext>(to group: RouterGroup<Context>) {
        group.get("/v1/skus/{sku}/holds/{order}/codes") { _, context in
            let sku = try context.identifier("sku")
            let order = try context.identifier("order")
            let delivery: CodeDelivery
            do {
                delivery = try await inventory.deliverCodes(sku: sku, order: order)
            } catch let error as InventoryError where error.code == .holdNotFound {
                guard let cold, let sealer = inventory.configuration.codeSealer,
                    let stored = try await cold.deliverCodes(
                        sku: sku,
                        order: order,
                        sealer: sealer,
                        nowMs: try await inventory.redisTimeMs()
                    )
                else { throw error }
                try await inventory.markDelivered(sku: sku, order: order)
                delivery = stored
            }
            var response = ContractResponse.json(CodesBody(delivery))
            // Secrets: no cache anywhere may keep them.
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }
}
