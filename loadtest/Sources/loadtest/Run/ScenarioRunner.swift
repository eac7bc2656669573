import Foundation
import Synchronization

/// Runs a scenario's client side: buyers arrive `concurrency` at a time, hold, then pay,
/// cancel or abandon; in `retry-storm` every request is sent `1 + retries` times at once.
struct ScenarioRunner: Sendable {
    let scenario: Scenario
    let driver: any LoadDriver
    let skuIDs: [String]
    let recorder: Recorder
    let ledger: Ledger
    /// Asked before each new buyer: `true` ends the run once the buyers in flight finish.
    var shouldStop: @Sendable () -> Bool = { false }
    /// Open loop: buyers arrive at this many per second on a fixed schedule, whatever the
    /// answers (`nil`: closed loop, `concurrency` buyers at a time).
    var rate: Double?

    /// Hands out buyer numbers to the workers.
    final class Queue: Sendable {
        private let next = Atomic<Int>(0)
        let limit: Int
        init(limit: Int) { self.limit = limit }
        func take() -> Int? {
            let value = next.add(1, ordering: .relaxed).oldValue
            return value < limit ? value : nil
        }
    }

    /// Runs every buyer (or until `duration_s`), then returns.
    func run(progress: @escaping @Sendable () -> Void) async {
        let queue = Queue(limit: scenario.buyers)
        let deadline = scenario.durationS.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
        let zipf = ZipfTable(count: skuIDs.count, exponent: scenario.zipfExponent)
        if let rate {
            await runOpenLoop(rate: rate, deadline: deadline, zipf: zipf, progress: progress)
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<scenario.concurrency {
                group.addTask {
                    while let buyer = queue.take() {
                        if let deadline, ContinuousClock.now >= deadline { return }
                        if shouldStop() { return }
                        await serve(buyer: buyer, zipf: zipf)
                        progress()
                    }
                }
            }
        }
    }

    /// Buyer `i` arrives at `start + i / rate` and is served at once, however many are
    /// still in flight; a late start (the generator fell behind) is sent at once and its
    /// hold's latency still counts from the scheduled time, as wrk2 does.
    private func runOpenLoop(
        rate: Double,
        deadline: ContinuousClock.Instant?,
        zipf: ZipfTable,
        progress: @escaping @Sendable () -> Void
    ) async {
        let clock = ContinuousClock()
        let start = clock.now
        // Discarding: a finished buyer's task is freed at once, however long the run.
        await withDiscardingTaskGroup { group in
            for index in 0..<scenario.buyers {
                let scheduled = start + .seconds(Double(index) / rate)
                if let deadline, scheduled >= deadline { break }
                if shouldStop() { break }
                if scheduled > clock.now { try? await Task.sleep(until: scheduled, clock: clock) }
                group.addTask {
                    await serve(buyer: index, zipf: zipf, scheduledAt: scheduled)
                    progress()
                }
            }
        }
    }

    private func serve(buyer index: Int, zipf: ZipfTable, scheduledAt: ContinuousClock.Instant? = nil) async {
        var random = SeededRandom(seed: scenario.seed ^ UInt64(index) &* 0x2545_F491_4F6C_DD1D)
        if scenario.kind == "cart" {
            await serveCart(buyer: index, zipf: zipf, random: &random, scheduledAt: scheduledAt)
            return
        }
        let sku = scenario.kind == "catalog" ? skuIDs[zipf.pick(&random)] : skuIDs[index % skuIDs.count]
        let order = "o\(index)"
        // With a per-buyer limit, a third of the buyers come back for more.
        let buyer = scenario.perBuyerLimit == nil ? "u\(index)" : "u\(index % max(1, scenario.buyers * 2 / 3))"
        let qty = Int64.random(in: 1...scenario.maxUnitsPerHold, using: &random)
        let fate = Double.random(in: 0..<1, using: &random)
        let pays = fate < scenario.payShare
        let cancels = !pays && fate < scenario.payShare + scenario.cancelShare
        let ttl = pays || cancels ? scenario.holdTTLMs : scenario.abandonTTLMs

        let held = await repeated("hold", scheduledAt: scheduledAt) {
            await driver.hold(sku: sku, order: order, qty: qty, buyer: buyer, ttlMs: ttl)
        }
        if held.contains(where: { $0.code == InProcessDriver.falseSoldOut }) {
            ledger.recordFalseSoldOut(sku: sku, order: order, qty: qty)
        }
        guard held.contains(where: { $0.code == "held" || $0.code == "repeated" }) else { return }
        ledger.recordHold(Ledger.Placed(sku: sku, order: order, buyer: buyer, qty: qty))
        if pays {
            let confirms = await repeated("confirm") { await driver.confirm(sku: sku, order: order) }
            if confirms.contains(where: { $0.code == "confirmed" }) {
                ledger.recordConfirm(sku: sku, order: order, qty: qty)
                if scenario.skuKind == "codes", let codes = await driver.codes(sku: sku, order: order) {
                    ledger.recordCodes(sku: sku, order: order, codes: codes)
                }
            }
        } else if cancels {
            _ = await repeated("release") { await driver.release(sku: sku, order: order) }
        }
    }

    /// A buyer of a `cart` scenario: one order of several distinct SKUs, then pays,
    /// cancels or abandons it. Each line held is an ordinary hold in the ledger too.
    private func serveCart(
        buyer index: Int,
        zipf: ZipfTable,
        random: inout SeededRandom,
        scheduledAt: ContinuousClock.Instant?
    ) async {
        let count = Int.random(in: scenario.minLines...scenario.maxLines, using: &random)
        var picked: [String] = []
        while picked.count < count {
            let sku = skuIDs[zipf.pick(&random)]
            if !picked.contains(sku) { picked.append(sku) }
        }
        let lines = picked.map {
            CartLine(sku: $0, qty: Int64.random(in: 1...scenario.maxUnitsPerHold, using: &random))
        }
        // Order ids are the run's own (its SKUs' ids are): an order of an earlier run
        // with the same number is another request.
        let order = "\(skuIDs[0])-c\(index)"
        let buyer = "u\(index)"
        let fate = Double.random(in: 0..<1, using: &random)
        let pays = fate < scenario.payShare
        let cancels = !pays && fate < scenario.payShare + scenario.cancelShare
        let ttl = pays || cancels ? scenario.holdTTLMs : scenario.abandonTTLMs

        ledger.recordOrder(order, .tried)
        let placed = await recorder.measure("order", scheduledAt: scheduledAt) {
            await driver.placeOrder(order: order, lines: lines, buyer: buyer, ttlMs: ttl)
        }
        guard placed.code == "held" || placed.code == "repeated" else { return }
        ledger.recordOrder(order, .held)
        for line in lines { ledger.recordHold(Ledger.Placed(sku: line.sku, order: order, buyer: buyer, qty: line.qty)) }
        if pays {
            let confirmed = await recorder.measure("order_confirm") { await driver.confirmOrder(order: order) }
            if confirmed.code == "confirmed" {
                ledger.recordOrder(order, .confirmed)
                for line in lines { ledger.recordConfirm(sku: line.sku, order: order, qty: line.qty) }
            }
        } else if cancels {
            _ = await recorder.measure("order_release") { await driver.releaseOrder(order: order) }
        }
    }

    /// Sends one operation, or `1 + retries` copies of it at once in a retry storm.
    private func repeated(
        _ operation: String,
        scheduledAt: ContinuousClock.Instant? = nil,
        _ body: @escaping @Sendable () async -> DriverOutcome
    ) async -> [DriverOutcome] {
        let copies = scenario.kind == "retry-storm" ? 1 + scenario.retries : 1
        if copies == 1 { return [await recorder.measure(operation, scheduledAt: scheduledAt, body)] }
        return await withTaskGroup(of: DriverOutcome.self) { group in
            for _ in 0..<copies {
                group.addTask { await recorder.measure(operation, scheduledAt: scheduledAt, body) }
            }
            var outcomes: [DriverOutcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
    }
}
