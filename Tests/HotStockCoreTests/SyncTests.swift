import MariaDBClient
import RedisClient
import Testing

@testable import HotStockCore

/// Each test uses a Redis database of its own, so that its outbox holds only its events.
@Suite("Syncing the outbox into MySQL")
struct SyncTests {
    @Test func randomizedRunThenSyncLeavesMySQLEqualToRedisAndReconcileClean() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d7")
        let cold = try await TestCold.store()
        let skus = (0..<4).map { TestEngine.uniqueSKU("sync\($0)") }
        for sku in skus { _ = try await inventory.setSKU(sku, SKUUpdate(total: 40)) }
        try await randomTraffic(inventory, skus: skus)
        try await Task.sleep(for: .milliseconds(1_100))
        try await Sweeper(inventory: inventory, logger: TestEngine.logger).sweepOnce()

        let syncer = Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger)
        let report = try await syncer.syncOnce()
        #expect(report.applied > 0)
        for sku in skus { try await expectBalanced(inventory, sku) }
        try await expectColdEqualsHot(inventory, cold, skus: skus)
        let reconcile = try await Reconciler(inventory: inventory, cold: cold, logger: TestEngine.logger)
            .reconcile(fix: false, only: Set(skus))
        #expect(reconcile.drift.isEmpty, "\(reconcile.drift)")
        #expect(reconcile.compared > skus.count)
    }

    @Test func everyEventAppliedTwiceChangesNothing() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d8")
        let cold = try await TestCold.store()
        let skus = (0..<3).map { TestEngine.uniqueSKU("replay\($0)") }
        for sku in skus { _ = try await inventory.setSKU(sku, SKUUpdate(total: 30)) }
        try await randomTraffic(inventory, skus: skus)
        var configuration = SyncerConfiguration()
        configuration.trimOutbox = false
        try await Syncer(
            redis: inventory.redis,
            keys: inventory.keys,
            cold: cold,
            configuration: configuration,
            logger: TestEngine.logger
        )
        .syncOnce()
        try await expectColdEqualsHot(inventory, cold, skus: skus)
        let before = try await coldSnapshot(cold, skus)

        // Replay the whole outbox from the start, twice, through a fresh applier.
        var events: [OutboxEvent] = []
        for partition in 0..<inventory.keys.partitions {
            let reply = try await inventory.redis.send(
                "XRANGE",
                inventory.keys.eventsKey(partition: partition),
                "-",
                "+"
            )
            events += (reply.array ?? []).compactMap(OutboxEvent.init(entry:)).filter { skus.contains($0.sku.id) }
        }
        #expect(events.count > 20)
        let applier = EventApplier(cold: cold, logger: TestEngine.logger)
        try await applier.apply(events)
        try await applier.apply(events.reversed())
        #expect(try await coldSnapshot(cold, skus) == before)
        #expect(applier.regressionsSeen == 0)
    }

    @Test func syncerKilledBetweenCommitAndAckIsFinishedByAnotherWithoutDuplicates() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d9")
        let cold = try await TestCold.store()
        let skus = (0..<3).map { TestEngine.uniqueSKU("crash\($0)") }
        for sku in skus { _ = try await inventory.setSKU(sku, SKUUpdate(total: 30)) }
        try await randomTraffic(inventory, skus: skus)
        #expect(try await OutboxBacklog.measure(redis: inventory.redis, keys: inventory.keys).unread > 0)

        var dying = SyncerConfiguration(consumer: "dying", batchSize: 50)
        dying.faultPoint = .afterCommitBeforeAck
        do {
            try await Syncer(
                redis: inventory.redis,
                keys: inventory.keys,
                cold: cold,
                configuration: dying,
                logger: TestEngine.logger
            )
            .syncOnce()
            Issue.record("the fault point did not fire")
        } catch is SyncerFault {}
        let pending = try await pendingCount(inventory, group: dying.group)
        #expect(pending > 0, "the dead syncer left nothing pending")
        let backlog = try await OutboxBacklog.measure(redis: inventory.redis, keys: inventory.keys)
        #expect(backlog.pending == Int64(pending) && !backlog.isEmpty)

        let heir = SyncerConfiguration(consumer: "heir", claimMinIdle: .zero)
        let report = try await Syncer(
            redis: inventory.redis,
            keys: inventory.keys,
            cold: cold,
            configuration: heir,
            logger: TestEngine.logger
        )
        .syncOnce()
        #expect(report.claimed >= pending)
        #expect(try await pendingCount(inventory, group: heir.group) == 0)
        #expect(try await OutboxBacklog.measure(redis: inventory.redis, keys: inventory.keys).isEmpty)
        try await expectColdEqualsHot(inventory, cold, skus: skus)
    }

    @Test func driftPlantedInMySQLIsFoundByReconcileAndRepairedByFix() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d11")
        let cold = try await TestCold.store()
        let sku = TestEngine.uniqueSKU("drift")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        _ = try await inventory.placeHold(sku: sku, order: "a", qty: 2, ttlMs: 60_000)
        _ = try await inventory.placeHold(sku: sku, order: "b", qty: 1, ttlMs: 60_000)
        _ = try await inventory.confirm(sku: sku, order: "b")
        try await Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger).syncOnce()
        try await expectColdEqualsHot(inventory, cold, skus: [sku])

        let admin = try TestCold.plainStore(url: TestCold.adminURL)
        try await admin.pool.withConnection { connection in
            try await connection.execute(
                "UPDATE skus SET sold = sold + 5, available = available - 5 WHERE sku = ?",
                [.text(sku)]
            )
            try await connection.execute(
                "UPDATE holds SET state = 'released' WHERE sku = ? AND order_id = 'a'",
                [.text(sku)]
            )
            try await connection.execute("DELETE FROM holds WHERE sku = ? AND order_id = 'b'", [.text(sku)])
            try await connection.execute(
                """
                INSERT INTO holds (sku, order_id, qty, state, expires_at_ms, created_at_ms, version)
                VALUES (?, 'ghost', 3, 'held', 1, 1, 1)
                """,
                [.text(sku)]
            )
        }
        await admin.pool.shutdown()
        let reconciler = Reconciler(inventory: inventory, cold: cold, logger: TestEngine.logger)
        let found = try await reconciler.reconcile(fix: false, only: [sku])
        let drifted = Set(found.drift.map { "\($0.kind) \($0.id) \($0.field)" })
        #expect(
            drifted.isSuperset(of: [
                "sku \(sku) sold", "sku \(sku) available", "hold \(sku)/a state", "hold \(sku)/b exists",
                "hold \(sku)/ghost exists",
            ])
        )
        #expect(found.driftedRecords == 4 && found.diffRate > 0)

        let fixed = try await reconciler.reconcile(fix: true, only: [sku])
        #expect(fixed.drift.isEmpty && fixed.repaired == 4)
        try await expectBalanced(inventory, sku)
        let ghost = try await cold.allHolds(sku: sku).first { $0.order == "ghost" }
        #expect(ghost?.state == .expired)
    }

    @Test func aVersionGoingBackwardsIsCountedAndNotCopied() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d14")
        let cold = try await TestCold.store()
        let sku = TestEngine.uniqueSKU("regress")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        for index in 0..<4 { _ = try await inventory.placeHold(sku: sku, order: "o\(index)") }
        let syncer = Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger)
        try await syncer.syncOnce()
        let before = try #require(try await cold.sku(sku))
        #expect(before.sku.version == 5)

        // A failover that lost acknowledged writes: Redis starts over below MySQL's version.
        try await TestEngine.wipe(inventory)
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        _ = try await inventory.placeHold(sku: sku, order: "after-failover")
        try await syncer.syncOnce()
        #expect(syncer.regressionsSeen == 2)
        #expect(try await cold.sku(sku)?.sku == before.sku, "an older state was copied over MySQL")
        let recorded = try await TestCold.plainStore(url: TestCold.adminURL).pool.withConnection { connection in
            try await connection.query("SELECT COUNT(*) AS n FROM version_regressions WHERE sku = ?", [.text(sku)])
        }
        #expect(recorded.first?.int("n") == 2)
    }

    /// A statement MariaDB refuses to prepare (a column a migration has not added yet)
    /// is an error, and the connection goes on: it once freed the statement twice.
    @Test func aStatementThatFailsToPrepareIsAnErrorNotACrash() async throws {
        let cold = try await TestCold.store()
        try await cold.pool.withConnection { connection in
            for _ in 0..<3 {
                await #expect(throws: MariaDBError.self) {
                    try await connection.query("SELECT no_such_column FROM skus WHERE sku = ?", [.text("x")])
                }
            }
            let rows = try await connection.query("SELECT COUNT(*) AS n FROM skus WHERE sku = ?", [.text("x")])
            #expect(rows.first?.int("n") == 0)
        }
    }

    private func pendingCount(_ inventory: Inventory, group: String) async throws -> Int {
        var total = 0
        for partition in 0..<inventory.keys.partitions {
            let key = inventory.keys.eventsKey(partition: partition)
            guard let reply = try? await inventory.redis.send("XPENDING", key, group) else { continue }
            total += Int(reply.array?.first?.int ?? 0)
        }
        return total
    }
}

/// Every row MySQL has for `skus`, for before/after comparisons.
func coldSnapshot(_ cold: ColdStore, _ skus: [String]) async throws -> [String] {
    var rows: [String] = []
    for sku in skus {
        if let row = try await cold.sku(sku) { rows.append("\(row)") }
        rows += try await cold.allHolds(sku: sku).map { "\($0)" }
    }
    return rows
}
