import HotStockCore
import Logging
import RedisClient
import Testing

/// Sweeper tests run on Redis databases of their own, so that the holds other tests
/// leave behind do not mix with theirs.
@Suite("Expiry and the sweeper", .serialized)
struct ExpiryTests {
    /// How late the sweeper is under load is a figure of the load harness (p99), not of a
    /// unit test on a shared machine; here: every hold expires, never early.
    @Test func holdsWithOneSecondTTLAreReleasedByTheSweeperNeverEarly() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d3")
        let sku = TestEngine.uniqueSKU("expiry")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 20))
        for index in 0..<10 {
            _ = try await inventory.placeHold(sku: sku, order: "o\(index)", qty: 2, ttlMs: 1_000)
        }
        #expect(try await expectBalanced(inventory, sku).available == 0)

        let sweeper = Sweeper(inventory: inventory, logger: TestEngine.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sweeper.run() }
            for _ in 0..<300 {
                try await Task.sleep(for: .milliseconds(100))
                if try await inventory.sku(sku).held == 0 { break }
            }
            group.cancelAll()
        }
        for index in 0..<10 {
            let hold = try await inventory.hold(sku: sku, order: "o\(index)")
            #expect(hold.state == .expired)
            // Both times are Redis's clock.
            let late = (hold.finalAtMs ?? .max) - hold.expiresAtMs
            #expect(late >= 0, "expired \(-late) ms before its expiry")
        }
        let snapshot = try await expectBalanced(inventory, sku)
        #expect(snapshot.available == 20 && snapshot.held == 0)
    }

    @Test func twoSweepersAtOnceNeverExpireAHoldTwice() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d4")
        let other = try await TestEngine.inventory(namespace: "d4")
        let sku = TestEngine.uniqueSKU("sweepers")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 300))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<300 {
                group.addTask { _ = try await inventory.placeHold(sku: sku, order: "o\(index)", ttlMs: 1_000) }
            }
            try await group.waitForAll()
        }
        try await Task.sleep(for: .milliseconds(1_100))

        let small = SweeperConfiguration(interval: .milliseconds(5), batchSize: 7)
        let sweepers = [
            Sweeper(inventory: inventory, configuration: small, logger: TestEngine.logger),
            Sweeper(inventory: other, configuration: small, logger: TestEngine.logger),
            Sweeper(inventory: other, configuration: small, logger: TestEngine.logger),
        ]
        let expired = try await withThrowingTaskGroup(of: Int.self) { group in
            for sweeper in sweepers {
                group.addTask {
                    var total = 0
                    for _ in 0..<5 { total += try await sweeper.sweepOnce().expired }
                    return total
                }
            }
            return try await group.reduce(0, +)
        }
        // Other SKUs in this database may also be due; ours are exactly 300 of them.
        #expect(expired >= 300)
        let snapshot = try await expectBalanced(inventory, sku)
        #expect(snapshot.available == 300 && snapshot.held == 0)
        let finals = try await finalEvents(inventory, sku: sku)
        #expect(finals.count == 300)
        #expect(finals.values.allSatisfy { $0 == 1 }, "a hold got more than one final transition")
    }

    @Test func confirmAfterExpiryIsRefusedAndReacquireReHoldsWhenStockAllows() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d3")
        let sku = TestEngine.uniqueSKU("late")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 3))
        _ = try await inventory.placeHold(sku: sku, order: "late", qty: 2, buyer: "u1", ttlMs: 1_000)
        _ = try await inventory.placeHold(sku: sku, order: "relaxed", qty: 1, ttlMs: 1_000)
        try await Task.sleep(for: .milliseconds(1_100))

        // No sweeper ran: the confirm finds the hold overdue, expires it and refuses.
        do {
            _ = try await inventory.confirm(sku: sku, order: "late")
            Issue.record("an expired hold was confirmed")
        } catch let error as InventoryError {
            #expect(error.code == .holdExpired)
            #expect(error.hold?.state == .expired)
        }
        var snapshot = try await expectBalanced(inventory, sku)
        #expect(snapshot.held == 1 && snapshot.available == 2 && snapshot.sold == 0)
        #expect(try await refusalCode { _ = try await inventory.release(sku: sku, order: "late") } == .holdExpired)
        #expect(try await refusalCode { _ = try await inventory.release(sku: sku, order: "relaxed") } == .holdExpired)

        // Reacquire: stock allows, so hold and confirm again in one step.
        let confirmation = try await inventory.confirm(sku: sku, order: "late", reacquire: true)
        #expect(confirmation.reacquired && confirmation.hold.state == .confirmed)
        snapshot = try await expectBalanced(inventory, sku)
        #expect(snapshot.sold == 2 && snapshot.available == 1)
        // A repeated confirm answers the same body, `reacquired` included.
        #expect(try await inventory.confirm(sku: sku, order: "late") == confirmation)

        // Reacquire when stock does not allow: hold_expired, the hold stays expired.
        _ = try await inventory.placeHold(sku: sku, order: "taker", qty: 1)
        #expect(
            try await refusalCode { _ = try await inventory.confirm(sku: sku, order: "relaxed", reacquire: true) }
                == .holdExpired
        )
        #expect(try await inventory.hold(sku: sku, order: "relaxed").state == .expired)
        snapshot = try await expectBalanced(inventory, sku)
        #expect(snapshot.sold == 2 && snapshot.held == 1 && snapshot.available == 0)
    }

    @Test func sweeperDropsStaleIndexEntriesAndNeverExpiresAHoldBeforeItsTime() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d5")
        let pool = try TestEngine.adminPool()
        let sku = TestEngine.uniqueSKU("stale")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 2))
        let live = try await inventory.placeHold(sku: sku, order: "live", ttlMs: 60_000).hold
        let expiry = inventory.keys.expiryKey(partition: inventory.keys.partition(of: sku))
        // A gone hold, and a live hold indexed earlier than its expiry.
        _ = try await pool.send("ZADD", expiry, "1", "\(sku)/gone", "1", "\(sku)/live")

        try await Sweeper(inventory: inventory, logger: TestEngine.logger).sweepOnce()
        #expect(try await inventory.hold(sku: sku, order: "live") == live)
        #expect(try await pool.send("ZSCORE", expiry, "\(sku)/gone") == .null)
        #expect(try await pool.send("ZSCORE", expiry, "\(sku)/live").int == live.expiresAtMs)
        let snapshot = try await expectBalanced(inventory, sku)
        #expect(snapshot.held == 1)
        _ = try await inventory.release(sku: sku, order: "live")
        await pool.shutdown()
    }

    @Test func sweepersWithShardsSplitThePartitionsBetweenThem() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d17")
        // One SKU in an even partition, one in an odd one.
        var skus: [Int: String] = [:]
        while skus.count < 2 {
            let sku = TestEngine.uniqueSKU("shard")
            skus[inventory.keys.partition(of: sku) % 2] = skus[inventory.keys.partition(of: sku) % 2] ?? sku
        }
        for sku in skus.values {
            _ = try await inventory.setSKU(sku, SKUUpdate(total: 1))
            _ = try await inventory.placeHold(sku: sku, order: "o", ttlMs: 1_000)
        }
        try await Task.sleep(for: .milliseconds(1_100))
        for shard in [1, 0] {
            let configuration = SweeperConfiguration(shardIndex: shard, shardCount: 2)
            _ = try await Sweeper(inventory: inventory, configuration: configuration, logger: TestEngine.logger)
                .sweepOnce()
            // This shard's SKU expired; the other shard's, if not swept yet, is still held.
            #expect(try await inventory.hold(sku: skus[shard]!, order: "o").state == .expired)
            let other = try await inventory.hold(sku: skus[1 - shard]!, order: "o").state
            #expect(other == (shard == 1 ? .held : .expired))
            try await expectBalanced(inventory, skus[shard]!)
        }
    }

    @Test func sweeperReportsHowLateTheOldestDueHoldIs() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d5")
        let sku = TestEngine.uniqueSKU("lag")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 1))
        _ = try await inventory.placeHold(sku: sku, order: "o", ttlMs: 1_000)
        try await Task.sleep(for: .milliseconds(1_400))
        let sweeper = Sweeper(inventory: inventory, logger: TestEngine.logger)
        let report = try await sweeper.sweepOnce()
        #expect(report.expired >= 1)
        #expect(report.maxLagMs >= 300 && sweeper.oldestDueLagMs == report.maxLagMs)
        #expect(try await sweeper.sweepOnce().maxLagMs == 0)
        try await expectBalanced(inventory, sku)
    }
}

/// Counts, per order of `sku`, the final transitions recorded in the outbox.
func finalEvents(_ inventory: Inventory, sku: String) async throws -> [String: Int] {
    let pool = try TestEngine.pool()
    let key = inventory.keys.eventsKey(partition: inventory.keys.partition(of: sku))
    var counts: [String: Int] = [:]
    var cursor = "-"
    while true {
        let reply = try await pool.send(RedisCommand("XRANGE", [key, cursor, "+", "COUNT", "1000"]))
        let entries = reply.array ?? []
        for entry in entries {
            let values = entry.array?[1].array?.compactMap(\.string) ?? []
            var fields: [String: String] = [:]
            for index in stride(from: 0, to: values.count - 1, by: 2) { fields[values[index]] = values[index + 1] }
            if fields["sku"] == sku, ["confirm", "release", "expire"].contains(fields["op"]),
                let order = fields["order"]
            {
                counts[order, default: 0] += 1
            }
        }
        guard entries.count == 1000, let last = entries.last?.array?.first?.string else { break }
        cursor = "(" + last
    }
    await pool.shutdown()
    return counts
}
