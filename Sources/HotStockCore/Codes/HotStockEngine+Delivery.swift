extension HotStockEngine {
    /// The codes of a confirmed order (`GET .../holds/{order}/codes`, `hotstock codes
    /// show`): from Redis while it keeps the hold, else from MySQL once Redis's
    /// retention has dropped it (the same codes and first delivery), taking the order
    /// off the paid-but-not-delivered list.
    public func deliverCodes(sku: String, order: String) async throws -> CodeDelivery {
        do {
            return try await inventory.deliverCodes(sku: sku, order: order)
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
            return stored
        }
    }
}
