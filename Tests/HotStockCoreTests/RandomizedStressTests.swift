import HotStockCore
import Synchronization
import Testing

@Suite("Randomized stress")
struct RandomizedStressTests {
    /// Units each SKU sold, as the confirms that succeeded report them.
    final class Ledger: Sendable {
        private let sold = Mutex<[String: Int64]>([:])
        private let confirmed = Mutex<Set<String>>([])

        func recordConfirm(_ hold: Hold) {
            let key = "\(hold.sku)/\(hold.order)"
            let isFirst = confirmed.withLock { $0.insert(key).inserted }
            if isFirst { sold.withLock { $0[hold.sku, default: 0] += hold.qty } }
        }

        func soldUnits(_ sku: String) -> Int64 { sold.withLock { $0[sku] ?? 0 } }
    }

    @Test func randomHoldsConfirmsReleasesAndExpiriesKeepEverySKUBalanced() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d6", poolSize: 4)
        let skus = (0..<4).map { TestEngine.uniqueSKU("stress\($0)") }
        for (index, sku) in skus.enumerated() {
            var update = SKUUpdate(total: Int64(40 + index * 20))
            if index == 1 { update.perBuyerLimit = .set(3) }
            _ = try await inventory.setSKU(sku, update)
        }
        let ledger = Ledger()
        let sweeper = Sweeper(
            inventory: inventory,
            configuration: .init(interval: .milliseconds(50), batchSize: 20),
            logger: TestEngine.logger
        )

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sweeper.run() }
            try await withThrowingTaskGroup(of: Void.self) { workers in
                for worker in 0..<24 {
                    workers.addTask {
                        var random = SystemRandomNumberGenerator()
                        var mine: [(sku: String, order: String)] = []
                        for step in 0..<50 {
                            let sku = skus.randomElement(using: &random)!
                            switch Int.random(in: 0..<10, using: &random) {
                            case 0..<5:
                                let order = "w\(worker)-\(step)"
                                let placed = try? await inventory.placeHold(
                                    sku: sku,
                                    order: order,
                                    qty: Int64.random(in: 1...3, using: &random),
                                    buyer: "buyer\(Int.random(in: 0..<6, using: &random))",
                                    ttlMs: Int64.random(in: 1_000...1_600, using: &random)
                                )
                                if placed != nil { mine.append((sku, order)) }
                            case 5..<8:
                                guard let target = mine.randomElement(using: &random) else { continue }
                                let reacquire = Bool.random(using: &random)
                                if let done = try? await inventory.confirm(
                                    sku: target.sku,
                                    order: target.order,
                                    reacquire: reacquire
                                ) {
                                    ledger.recordConfirm(done.hold)
                                }
                            case 8:
                                guard let target = mine.randomElement(using: &random) else { continue }
                                _ = try? await inventory.release(sku: target.sku, order: target.order)
                            default:
                                try await Task.sleep(for: .milliseconds(Int.random(in: 1...80, using: &random)))
                            }
                        }
                    }
                }
                try await workers.waitForAll()
            }
            // Let every remaining hold run out and the sweeper return its units.
            try await Task.sleep(for: .milliseconds(1_800))
            group.cancelAll()
        }
        try await sweeper.sweepOnce()

        for sku in skus {
            let snapshot = try await expectBalanced(inventory, sku)
            #expect(snapshot.held == 0, "\(sku) still has held units after every TTL passed")
            #expect(
                snapshot.sold == ledger.soldUnits(sku),
                "\(sku) sold \(snapshot.sold), confirms say \(ledger.soldUnits(sku))"
            )
        }
        let finals = try await finalEvents(inventory, sku: skus[0])
        #expect(finals.values.allSatisfy { $0 <= 2 })
    }
}
