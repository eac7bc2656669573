import Foundation

/// A client that behaves as a real one does during an outage: an attempt the engine
/// could not answer (connection refused or lost, 503) is sent again, with the same order
/// id, after a growing pause, until the engine answers or `patience` runs out. Each
/// attempt is logged, so the error rate clients saw can be read per outage.
struct RetryingDriver: LoadDriver {
    let inner: any LoadDriver
    let attempts: AttemptLog
    var patience: Duration = .seconds(60)

    var target: String { inner.target }

    /// Outcomes that say nothing about the operation, only that the engine was away.
    static func isEngineFailure(_ code: String) -> Bool {
        code == "transport" || code == "unavailable" || code.hasPrefix("http_5")
    }

    func hold(sku: String, order: String, qty: Int64, buyer: String?, ttlMs: Int64) async -> DriverOutcome {
        await retrying { await inner.hold(sku: sku, order: order, qty: qty, buyer: buyer, ttlMs: ttlMs) }
    }

    func confirm(sku: String, order: String) async -> DriverOutcome {
        await retrying { await inner.confirm(sku: sku, order: order) }
    }

    func release(sku: String, order: String) async -> DriverOutcome {
        await retrying { await inner.release(sku: sku, order: order) }
    }

    func codes(sku: String, order: String) async -> [String]? {
        await inner.codes(sku: sku, order: order)
    }

    func placeOrder(order: String, lines: [CartLine], buyer: String?, ttlMs: Int64) async -> DriverOutcome {
        await retrying { await inner.placeOrder(order: order, lines: lines, buyer: buyer, ttlMs: ttlMs) }
    }

    func confirmOrder(order: String) async -> DriverOutcome {
        await retrying { await inner.confirmOrder(order: order) }
    }

    func releaseOrder(order: String) async -> DriverOutcome {
        await retrying { await inner.releaseOrder(order: order) }
    }

    private func retrying(_ attempt: () async -> DriverOutcome) async -> DriverOutcome {
        let deadline = ContinuousClock.now + patience
        var pause = Duration.milliseconds(50)
        while true {
            let outcome = await attempt()
            let failed = Self.isEngineFailure(outcome.code)
            attempts.record(failed: failed)
            if !failed || ContinuousClock.now >= deadline { return outcome }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(1))
        }
    }
}
