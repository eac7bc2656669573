import HotStockCore

/// Drives the engine in this process, through `Inventory`.
struct InProcessDriver: LoadDriver {
    let inventory: Inventory
    var target: String { "inprocess" }

    func hold(sku: String, order: String, qty: Int64, buyer: String?, ttlMs: Int64) async -> DriverOutcome {
        do {
            let placement = try await inventory.placeHold(sku: sku, order: order, qty: qty, buyer: buyer, ttlMs: ttlMs)
            return DriverOutcome(code: placement.created ? "held" : "repeated", state: placement.hold.state.rawValue)
        } catch let error as InventoryError where error.code == .soldOut {
            // A refusal for stock while the SKU as a whole (its buckets summed when the
            // engine refused) still had the units is a false sold_out (DESIGN section 12).
            let available = error.soldOut?.available ?? 0
            return DriverOutcome(code: available >= qty ? Self.falseSoldOut : error.code.rawValue)
        } catch {
            return await outcome { throw error }
        }
    }

    /// The outcome code of a `sold_out` answered while the SKU had the units.
    static let falseSoldOut = "false_sold_out"

    func confirm(sku: String, order: String) async -> DriverOutcome {
        await outcome {
            let confirmation = try await inventory.confirm(sku: sku, order: order)
            return DriverOutcome(code: "confirmed", state: confirmation.hold.state.rawValue)
        }
    }

    func release(sku: String, order: String) async -> DriverOutcome {
        await outcome {
            DriverOutcome(code: "released", state: try await inventory.release(sku: sku, order: order).state.rawValue)
        }
    }

    func codes(sku: String, order: String) async -> [String]? {
        try? await inventory.deliverCodes(sku: sku, order: order).codes
    }

    private func outcome(_ body: () async throws -> DriverOutcome) async -> DriverOutcome {
        do {
            return try await body()
        } catch let error as InventoryError {
            return DriverOutcome(code: error.code.rawValue)
        } catch {
            return DriverOutcome(code: "transport")
        }
    }
}
