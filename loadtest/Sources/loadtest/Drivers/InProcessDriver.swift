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
            let wrong = await isFalseSoldOut(sku: sku, qty: qty, snapshot: error.soldOut)
            return DriverOutcome(code: wrong ? Self.falseSoldOut : error.code.rawValue)
        } catch {
            return await outcome { throw error }
        }
    }

    /// The outcome code of a `sold_out` answered while the SKU had the units.
    static let falseSoldOut = "false_sold_out"

    /// Whether a `sold_out` was answered while the SKU as a whole had the units (DESIGN
    /// section 12): the harness reads the SKU's buckets itself, twice; when neither read
    /// saw a change since the refusal (every bucket at the same version, their sum the
    /// version the refusal reported), the state it reads is the one the engine decided
    /// on, and it must be short of `qty`. Anything that changed meanwhile leaves the
    /// refusal unjudged.
    private func isFalseSoldOut(sku: String, qty: Int64, snapshot: SoldOutSnapshot?) async -> Bool {
        guard let snapshot, let first = try? await inventory.buckets(of: sku),
            let second = try? await inventory.buckets(of: sku), first.map(\.version) == second.map(\.version),
            second.reduce(0, { $0 + $1.version }) == snapshot.version
        else { return false }
        return second.reduce(0) { $0 + $1.available } >= qty
    }

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

    func placeOrder(order: String, lines: [CartLine], buyer: String?, ttlMs: Int64) async -> DriverOutcome {
        await outcome {
            let request = OrderRequest(
                lines: lines.map { OrderLine(sku: $0.sku, qty: $0.qty) },
                buyer: buyer,
                ttlMs: ttlMs
            )
            let placed = try await inventory.placeOrder(order, request)
            return DriverOutcome(
                code: placed.created ? "held" : "repeated",
                state: try placed.order.answer().state.rawValue
            )
        }
    }

    func confirmOrder(order: String) async -> DriverOutcome {
        await outcome {
            DriverOutcome(code: "confirmed", state: try await inventory.confirmOrder(order).state.rawValue)
        }
    }

    func releaseOrder(order: String) async -> DriverOutcome {
        await outcome { DriverOutcome(code: "released", state: try await inventory.releaseOrder(order).state.rawValue) }
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
