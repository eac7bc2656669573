import HotStockCore
import Hummingbird

/// Code pools (DESIGN section 5b): loading a batch (admin) and fetching the codes of a
/// confirmed hold (API token).
struct CodeRoutes {
    /// The engine; its cold stock answers for orders Redis no longer holds.
    let engine: HotStockEngine
    /// Largest batch body accepted (413 above): 4 MiB.
    let maxBatchBytes: Int
    /// The sold-out gate: loaded codes are units to hold.
    let gate: SoldOutGate?

    func addAdmin<Context: RequestContext>(to group: RouterGroup<Context>) {
        group.post("/v1/skus/{sku}/codes") { request, context in
            let sku = try context.identifier("sku")
            let body = try RequestBody(try await request.contractBody(limit: maxBatchBytes), optional: false)
            let batch = try ContractRequests.codeBatch(body)
            let result = try await engine.inventory.loadCodes(sku: sku, batch: batch.batch, codes: batch.codes)
            gate?.drop(sku: sku)
            return ContractResponse.json(CodeBatchBody(result))
        }
    }

    func addReads<Context: RequestContext>(to group: RouterGroup<Context>) {
        group.get("/v1/skus/{sku}/holds/{order}/codes") { _, context in
            let delivery = try await engine.deliverCodes(
                sku: try context.identifier("sku"),
                order: try context.identifier("order")
            )
            var response = ContractResponse.json(CodesBody(delivery))
            // Secrets: no cache anywhere may keep them.
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }
}
