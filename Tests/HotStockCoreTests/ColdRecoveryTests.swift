import Logging
import MariaDBClient
import RedisClient
import Synchronization
import Testing

@testable import HotStockCore

@Suite("Cold stock through outages")
struct ColdRecoveryTests {
    /// Whether the writers of a run should stop.
    final class StopFlag: Sendable {
        let stop = Atomic<Bool>(false)
        let placed = Atomic<Int>(0)
    }

    @Test func mariaDBPausedWhileHoldsFlowLosesNothingAndNeverTrimsUnsyncedEntries() async throws {
        let mariadb = try ScratchMariaDB()
        defer { mariadb.destroy() }
        try await mariadb.start()
        let inventory = try await TestEngine.inventory(namespace: "d10")
        let cold = try await TestCold.store(url: mariadb.url, ioTimeoutSeconds: 1)
        let sku = TestEngine.uniqueSKU("outage")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 100_000))
        let syncer = Syncer(
            redis: inventory.redis,
            keys: inventory.keys,
            cold: cold,
            configuration: SyncerConfiguration(
                batchSize: 200,
                idleWait: .milliseconds(20),
                maxBackoff: .milliseconds(300)
            ),
            logger: TestEngine.logger
        )
        let flag = StopFlag()
        let events = inventory.keys.eventsKey(partition: inventory.keys.partition(of: sku))

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await syncer.run() }
            group.addTask {
                var step = 0
                while !flag.stop.load(ordering: .relaxed) {
                    let order = "o\(step)"
                    _ = try await inventory.placeHold(sku: sku, order: order, ttlMs: 60_000)
                    if step.isMultiple(of: 3) { _ = try await inventory.confirm(sku: sku, order: order) }
                    flag.placed.add(1, ordering: .relaxed)
                    step += 1
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            mariadb.pause()
            let lengthAtPause = try await inventory.redis.send("XLEN", events).int ?? 0
            let placedAtPause = flag.placed.load(ordering: .relaxed)
            // Holds keep flowing while MySQL is frozen: 150 of them, however busy the
            // machine, and at least 3 s (longer than the syncer's MySQL timeout).
            let paused = ContinuousClock.now
            while ContinuousClock.now - paused < .seconds(30)
                && (flag.placed.load(ordering: .relaxed) - placedAtPause < 150
                    || ContinuousClock.now - paused < .seconds(3))
            {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(flag.placed.load(ordering: .relaxed) - placedAtPause >= 150)
            // Nothing reached MySQL while it was frozen, so nothing may have been trimmed.
            let lengthDuringOutage = try await inventory.redis.send("XLEN", events).int ?? 0
            #expect(lengthDuringOutage > lengthAtPause + 100, "the outbox did not keep what MySQL missed")
            mariadb.resume()
            try await Task.sleep(for: .milliseconds(500))
            flag.stop.store(true, ordering: .relaxed)
            // Let the syncer drain the backlog.
            for _ in 0..<100 {
                try await Task.sleep(for: .milliseconds(100))
                if try await cold.sku(sku)?.sku == (try await inventory.sku(sku)) { break }
            }
            group.cancelAll()
        }
        try await expectBalanced(inventory, sku)
        try await expectColdEqualsHot(inventory, cold, skus: [sku])
        await cold.pool.shutdown()
    }

    @Test func flushedRedisIsWarmedBackAndNewHoldsContinueWithoutOversell() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d12")
        let cold = try await TestCold.store()
        let sku = TestEngine.uniqueSKU("warm")
        var update = SKUUpdate(total: 20)
        update.perBuyerLimit = .set(5)
        update.maxQty = .set(4)
        _ = try await inventory.setSKU(sku, update)
        _ = try await inventory.placeHold(sku: sku, order: "paid", qty: 3, buyer: "u1", ttlMs: 60_000)
        _ = try await inventory.confirm(sku: sku, order: "paid")
        let live = try await inventory.placeHold(sku: sku, order: "live", qty: 2, buyer: "u1", ttlMs: 60_000).hold
        _ = try await inventory.placeHold(sku: sku, order: "short", qty: 4, buyer: "u2", ttlMs: 1_000)
        _ = try await inventory.placeHold(sku: sku, order: "gone", qty: 1, buyer: "u3", ttlMs: 60_000)
        _ = try await inventory.release(sku: sku, order: "gone")
        try await Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger).syncOnce()
        let before = try await inventory.sku(sku)

        try await TestEngine.wipe(inventory)
        #expect(try await refusalCode { _ = try await inventory.sku(sku) } == .skuNotFound)
        try await Task.sleep(for: .milliseconds(1_100))

        let warmer = Warmer(inventory: inventory, cold: cold, logger: TestEngine.logger)
        let report = try await warmer.warm(sku: sku)
        #expect(report.warmed == [sku] && report.liveHolds == 1 && report.expiredHolds == 1)
        let after = try await expectBalanced(inventory, sku)
        // The short hold came back expired: its 4 units are available again.
        #expect(after.total == 20 && after.sold == 3 && after.held == 2 && after.available == 15)
        #expect(after.version == before.version + 1 && after.config == before.config)
        #expect(try await inventory.hold(sku: sku, order: "live") == live)
        #expect(try await inventory.hold(sku: sku, order: "short").state == .expired)
        #expect(try await inventory.confirm(sku: sku, order: "paid").hold.state == .confirmed)
        #expect(try await refusalCode { _ = try await inventory.confirm(sku: sku, order: "gone") } == .holdReleased)
        // The buyer's units are back too: u1 has 3 sold + 2 held of 5.
        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "u1-more", buyer: "u1") }
                == .buyerLimit
        )

        // A second warm leaves the SKU alone; new holds continue without oversell.
        #expect(try await warmer.warm(sku: sku).skipped == [sku])
        var taken: Int64 = 0
        var index = 0
        while true {
            do {
                _ = try await inventory.placeHold(sku: sku, order: "new\(index)", qty: 1, buyer: "n\(index)")
                taken += 1
                index += 1
            } catch let error as InventoryError {
                #expect(error.code == .soldOut)
                break
            }
        }
        #expect(taken == 15)
        let final = try await expectBalanced(inventory, sku)
        #expect(final.available == 0 && final.sold + final.held == 20)

        let syncer = Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger)
        try await syncer.syncOnce()
        try await expectColdEqualsHot(inventory, cold, skus: [sku])
        #expect(syncer.regressionsSeen == 0, "warm restating MySQL's version is no regression")
    }
}
