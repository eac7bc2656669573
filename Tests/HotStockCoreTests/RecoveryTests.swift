import HotStockCore
import Logging
import RedisClient
import Synchronization
import Testing

@Suite("Recovery without errors reaching the caller")
struct RecoveryTests {
    /// What the workers of a run share: the orders Redis acknowledged, and when to stop.
    final class RunState: Sendable {
        let acknowledged = Mutex<[String]>([])
        let stop = Atomic<Bool>(false)
    }

    @Test func flushingScriptsAndFunctionsMidRunIsInvisibleToCallers() async throws {
        let inventory = try await TestEngine.inventory()
        let admin = try TestEngine.adminPool()
        let sku = TestEngine.uniqueSKU("flush")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 2_000))

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for round in 0..<10 {
                    try await Task.sleep(for: .milliseconds(15))
                    _ = try await admin.send(round.isMultiple(of: 2) ? "FUNCTION" : "SCRIPT", "FLUSH")
                }
                _ = try await admin.send("FUNCTION", "FLUSH")
            }
            for worker in 0..<8 {
                group.addTask {
                    for step in 0..<80 {
                        _ = try await inventory.placeHold(sku: sku, order: "w\(worker)-\(step)")
                        if step.isMultiple(of: 3) {
                            _ = try await inventory.confirm(sku: sku, order: "w\(worker)-\(step)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = try await inventory.placeHold(sku: sku, order: "after")
        let snapshot = try await expectBalanced(inventory, sku)
        #expect(snapshot.held + snapshot.sold == 641)
        #expect(snapshot.sold == 8 * 27)
        await admin.shutdown()
    }

    @Test func redisKilledAndRestartedMidRunLosesNoAcknowledgedHold() async throws {
        let redis = try ScratchRedis()
        defer { redis.destroy() }
        try await redis.start()
        let pool = RedisConnectionPool(
            configuration: try RedisConfiguration(url: redis.url),
            logger: TestEngine.logger
        )
        let inventory = Inventory(redis: pool, logger: TestEngine.logger)
        try await inventory.prepare()
        let sku = TestEngine.uniqueSKU("restart")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 100_000))

        let run = RunState()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<6 {
                group.addTask {
                    var step = 0
                    while !run.stop.load(ordering: .relaxed) {
                        let order = "w\(worker)-\(step)"
                        _ = try await inventory.placeHold(sku: sku, order: order, qty: 1)
                        run.acknowledged.withLock { $0.append(order) }
                        step += 1
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            redis.kill()
            try await Task.sleep(for: .milliseconds(300))
            try await redis.start()
            try await Task.sleep(for: .milliseconds(300))
            run.stop.store(true, ordering: .relaxed)
            try await group.waitForAll()
        }

        let orders = run.acknowledged.withLock { $0 }
        #expect(orders.count > 10)
        let snapshot = try await expectBalanced(inventory, sku)
        #expect(snapshot.held == Int64(orders.count), "acknowledged \(orders.count), Redis holds \(snapshot.held)")
        for order in orders.shuffled().prefix(50) {
            #expect(try await inventory.hold(sku: sku, order: order).state == .held)
        }
        await pool.shutdown()
    }
}
