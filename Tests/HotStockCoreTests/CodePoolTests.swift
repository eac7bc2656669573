import Foundation
import HotStockCore
import MariaDBClient
import RedisClient
import Synchronization
import Testing

/// Code pools (DESIGN section 5b) against the real Redis: each code to exactly one paid
/// order, sealed at rest.
@Suite("Code pools")
struct CodePoolTests {
    /// Orders that got a hold, shared by the client tasks.
    final class Orders: Sendable {
        let list = Mutex<[String]>([])
    }

    /// `count` codes sharing one marker no other run uses (`PREFIX-TEST-XXXXXXXX-n`; the
    /// `-TEST-` prefixes are what ops/secret-scan.sh looks for in the logs).
    static func codes(_ count: Int, prefix: String = "CARD") -> [String] {
        let run = UUID().uuidString.prefix(8)
        return (0..<count).map { "\(prefix)-TEST-\(run)-\($0)" }
    }

    static func codesSKU(_ inventory: Inventory, codes: [String]) async throws -> String {
        let sku = TestEngine.uniqueSKU("codes")
        let created = try await inventory.setSKU(sku, SKUUpdate(kind: .codes)).sku
        #expect(created.kind == .codes && created.total == 0)
        if !codes.isEmpty { _ = try await inventory.loadCodes(sku: sku, batch: "b0", codes: codes) }
        return sku
    }

    /// Whether `haystack` holds the bytes of `needle` (memchr for the first byte, then a compare).
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard let base = haystack.baseAddress, let first = needle.first, haystack.count >= needle.count else {
            return false
        }
        var offset = 0
        while offset <= haystack.count - needle.count {
            guard let hit = memchr(base + offset, Int32(first), haystack.count - needle.count + 1 - offset) else {
                return false
            }
            let position = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + position, needle, needle.count) == 0 { return true }
            offset = position + 1
        }
        return false
    }

    /// Codes in the pool == available + held, and the stock invariant.
    static func expectPoolMatches(_ inventory: Inventory, _ sku: String) async throws {
        let snapshot = try await expectBalanced(inventory, sku)
        #expect(try await inventory.poolSize(sku: sku) == snapshot.available + snapshot.held)
    }

    @Test func aThousandHoldsOnAHundredCodesConfirmedTwiceGiveAHundredDistinctCodes() async throws {
        let inventory = try await TestEngine.inventory(poolSize: 8)
        let loaded = Self.codes(100)
        let sku = try await Self.codesSKU(inventory, codes: loaded)
        let held = Orders()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<1_000 {
                group.addTask {
                    if (try? await inventory.placeHold(sku: sku, order: "o\(index)")) != nil {
                        held.list.withLock { $0.append("o\(index)") }
                    }
                }
            }
        }
        let orders = held.list.withLock { $0 }
        #expect(orders.count == 100)
        try await Self.expectPoolMatches(inventory, sku)
        // Every payment callback arrives twice, at once.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for order in orders {
                for _ in 0..<2 {
                    group.addTask {
                        let confirmed = try await inventory.confirm(sku: sku, order: order).hold
                        #expect(confirmed.state == .confirmed && confirmed.codesCount == 1)
                    }
                }
            }
            try await group.waitForAll()
        }
        var delivered: [String: [String]] = [:]
        for order in orders {
            let first = try await inventory.deliverCodes(sku: sku, order: order)
            let again = try await inventory.deliverCodes(sku: sku, order: order)
            #expect(first == again && first.codes.count == 1)
            delivered[order] = first.codes
        }
        let all = delivered.values.flatMap { $0 }
        #expect(Set(all).count == 100, "a code went to two orders")
        #expect(Set(all) == Set(loaded), "a code came from outside the loaded set")
        let snapshot = try await inventory.sku(sku)
        #expect(snapshot.sold == 100 && snapshot.available == 0 && snapshot.held == 0)
        try await Self.expectPoolMatches(inventory, sku)
    }

    @Test func batchesAreIdempotentAndDuplicatesAreCountedNeverLoadedTwice() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = try await Self.codesSKU(inventory, codes: [])
        let first = try await inventory.loadCodes(sku: sku, batch: "b1", codes: ["AAA-1", "BBB-2", "CCC-3", "AAA-1"])
        #expect(first.added == 3 && first.duplicates == 1 && first.total == 3 && first.created)
        let again = try await inventory.loadCodes(sku: sku, batch: "b1", codes: ["AAA-1", "BBB-2", "CCC-3", "AAA-1"])
        #expect(again.added == 3 && again.duplicates == 1 && again.total == 3 && !again.created)
        await #expect(throws: InventoryError(.idempotencyConflict, "batch b1 was loaded with other codes")) {
            try await inventory.loadCodes(sku: sku, batch: "b1", codes: ["ZZZ-9"])
        }
        let second = try await inventory.loadCodes(sku: sku, batch: "b2", codes: ["CCC-3", "DDD-4"])
        #expect(second.added == 1 && second.duplicates == 1 && second.total == 4)
        // A delivered code stays known: loading it again is a duplicate.
        _ = try await inventory.placeHold(sku: sku, order: "o1", qty: 4)
        _ = try await inventory.confirm(sku: sku, order: "o1")
        let sold = try await inventory.deliverCodes(sku: sku, order: "o1").codes
        #expect(Set(sold) == ["AAA-1", "BBB-2", "CCC-3", "DDD-4"])
        let third = try await inventory.loadCodes(sku: sku, batch: "b3", codes: sold + ["EEE-5"])
        #expect(third.added == 1 && third.duplicates == 4 && third.total == 5)
        try await Self.expectPoolMatches(inventory, sku)
    }

    @Test func badBatchesAreRefusedWholeAndLoadNothing() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = try await Self.codesSKU(inventory, codes: ["KEEP-1"])
        let before = try await inventory.sku(sku)
        let bad: [[String]] = [
            [], ["GOOD-1", "BAD\nLINE"], ["GOOD-1", String(repeating: "x", count: 300)], ["with space"],
            ["tab\there"], ["é-accent"], [""], Self.codes(10_001),
        ]
        for codes in bad {
            await #expect(throws: InventoryError.self, "\(codes.count) codes") {
                try await inventory.loadCodes(sku: sku, batch: "bad", codes: codes)
            }
        }
        #expect(try await inventory.sku(sku) == before)
        #expect(try await inventory.poolSize(sku: sku) == 1)
        let counted = TestEngine.uniqueSKU("counted")
        _ = try await inventory.setSKU(counted, SKUUpdate(total: 5))
        do {
            _ = try await inventory.loadCodes(sku: counted, batch: "b1", codes: ["X-1"])
            Issue.record("a counted SKU took codes")
        } catch let error as InventoryError {
            #expect(error.code == .notACodeSKU)
        }
        #expect(try await inventory.sku(counted).total == 5)
    }

    @Test func aCodesSKUTakesNoTotalAndNoSKUChangesItsKind() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = try await Self.codesSKU(inventory, codes: ["K-1", "K-2"])
        for update in [SKUUpdate(total: 10), SKUUpdate(kind: .counted)] {
            await #expect(throws: InventoryError.self) { try await inventory.setSKU(sku, update) }
        }
        var rules = SKUUpdate()
        rules.maxQty = .set(1)
        #expect(try await inventory.setSKU(sku, rules).sku.total == 2)
        let counted = TestEngine.uniqueSKU("counted")
        _ = try await inventory.setSKU(counted, SKUUpdate(total: 3))
        await #expect(throws: InventoryError.self) { try await inventory.setSKU(counted, SKUUpdate(kind: .codes)) }
        await #expect(throws: InventoryError.self) { try await inventory.setSKU(counted, SKUUpdate()) }
        #expect(try await inventory.sku(counted).kind == .counted)
    }

    @Test func releaseAndExpiryNeverTouchCodesAndOnlyConfirmedHoldsGetThem() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = try await Self.codesSKU(inventory, codes: Self.codes(5))
        let held = try await inventory.placeHold(sku: sku, order: "r1", qty: 2).hold
        #expect(held.coded && held.codesCount == nil)
        await #expect(throws: InventoryError.self) { try await inventory.deliverCodes(sku: sku, order: "r1") }
        _ = try await inventory.release(sku: sku, order: "r1")
        do {
            _ = try await inventory.deliverCodes(sku: sku, order: "r1")
            Issue.record("a released hold gave codes")
        } catch let error as InventoryError {
            #expect(error.code == .holdReleased)
        }
        try await Self.expectPoolMatches(inventory, sku)
        #expect(try await inventory.poolSize(sku: sku) == 5)
        // An expired hold: reacquire assigns codes then.
        _ = try await inventory.placeHold(sku: sku, order: "e1", qty: 2, ttlMs: 1_000)
        try await Task.sleep(for: .milliseconds(1_100))
        let reacquired = try await inventory.confirm(sku: sku, order: "e1", reacquire: true)
        #expect(reacquired.reacquired && reacquired.hold.codesCount == 2)
        #expect(try await inventory.deliverCodes(sku: sku, order: "e1").codes.count == 2)
        try await Self.expectPoolMatches(inventory, sku)
        #expect(try await inventory.poolSize(sku: sku) == 3)
    }

    @Test func noCodeIsInClearInRedisOrItsAOF() async throws {
        let inventory = try await TestEngine.inventory()
        let loaded = Self.codes(20, prefix: "SECRET")
        let sku = try await Self.codesSKU(inventory, codes: loaded)
        _ = try await inventory.placeHold(sku: sku, order: "c1", qty: 3)
        _ = try await inventory.confirm(sku: sku, order: "c1")
        let delivered = try await inventory.deliverCodes(sku: sku, order: "c1").codes
        #expect(delivered.count == 3)
        let admin = try TestEngine.adminPool()
        var stored: [String] = []
        let keys = inventory.keys
        stored += try await admin.send("LRANGE", keys.poolKey(sku), "0", "-1").array?.compactMap(\.string) ?? []
        stored += try await admin.send(.smembers(keys.fingerprintsKey(sku))).array?.compactMap(\.string) ?? []
        stored +=
            try await admin.send("HGETALL", inventory.keys.holdKey(sku: sku, order: "c1")).array?
            .compactMap(\.string) ?? []
        for stream in keys.outboxKeys(partition: keys.partition(of: sku)) {
            stored.append("\(try await admin.send("XREVRANGE", stream, "+", "-", "COUNT", "50"))")
        }
        #expect(stored.count > 40)
        for code in loaded { #expect(!stored.contains { $0.contains(code) }, "a code is in clear in Redis") }
        // The AOF on disk (appendfsync always): no code either.
        let dir = try await admin.send("CONFIG", "GET", "dir").array?.last?.string ?? ""
        let folder = URL(fileURLWithPath: dir).appending(path: "appendonlydir")
        let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
        #expect(!files.isEmpty, "no AOF found in \(folder.path)")
        // Every code of the run shares its marker, so one search per file finds any of them.
        let marker = Array(loaded[0].split(separator: "-").prefix(3).joined(separator: "-").utf8)
        for file in files {
            let data = try Data(contentsOf: file, options: .alwaysMapped)
            let found = data.withUnsafeBytes { Self.contains($0, marker) }
            #expect(!found, "a code is in clear in \(file.lastPathComponent)")
        }
        await admin.shutdown()
    }
}

/// A codes SKU in cold stock: its kind, counters and sealed codes reach MySQL, and `warm`
/// rebuilds its pool and assignments from there.
@Suite("Code pools in cold stock")
struct CodePoolColdTests {
    @Test func aCodesSKUSyncsItsCodesSealedAndIsWarmedBackWithThem() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d15")
        let cold = try await TestCold.store()
        let loaded = CodePoolTests.codes(6, prefix: "COLD")
        let sku = try await CodePoolTests.codesSKU(inventory, codes: loaded)
        _ = try await inventory.placeHold(sku: sku, order: "a", qty: 2)
        _ = try await inventory.confirm(sku: sku, order: "a")
        let delivered = try await inventory.deliverCodes(sku: sku, order: "a")
        _ = try await inventory.placeHold(sku: sku, order: "b", qty: 1)
        let syncer = Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger)
        try await syncer.syncOnce()
        let stored = try #require(try await cold.sku(sku)?.sku)
        let hot = try await inventory.sku(sku)
        #expect(stored.kind == .codes && stored == hot)
        let rows = try await cold.pool.withConnection { connection in
            try await connection.query(
                "SELECT fingerprint, sealed, batch, order_id, assigned_at_ms, delivered_at_ms FROM codes WHERE sku = ?",
                [.text(sku)]
            )
        }
        #expect(rows.count == 6)
        let assigned = rows.filter { $0["order_id"] == "a" }
        #expect(
            assigned.count == 2 && assigned.allSatisfy { $0.int("delivered_at_ms") == delivered.firstDeliveredAtMs }
        )
        #expect(rows.allSatisfy { $0["batch"] == "b0" })
        // Sealed in MySQL too: each opens to one of the loaded codes, none is in clear.
        let opened = try rows.map { try TestEngine.codeSealer.open($0["sealed"] ?? "", sku: sku) }
        #expect(Set(opened) == Set(loaded))
        #expect(
            Set(assigned.compactMap { try? TestEngine.codeSealer.open($0["sealed"] ?? "", sku: sku) })
                == Set(delivered.codes)
        )
        for row in rows {
            #expect(!loaded.contains { (row["sealed"] ?? "").contains($0) || (row["fingerprint"] ?? "").contains($0) })
        }
        // MariaDB's files on disk (tables, redo log): no code either.
        let admin = try TestCold.plainStore(url: TestCold.adminURL)
        let dataDir = try await admin.pool.withConnection { connection in
            try await connection.query("SELECT @@datadir AS dir").first?["dir"] ?? ""
        }
        await admin.pool.shutdown()
        let marker = Array(loaded[0].split(separator: "-").prefix(3).joined(separator: "-").utf8)
        let files = FileManager.default.enumerator(atPath: dataDir)?.compactMap { $0 as? String } ?? []
        #expect(!files.isEmpty, "MariaDB's data folder is not readable here")
        for file in files {
            guard
                let data = try? Data(
                    contentsOf: URL(fileURLWithPath: dataDir).appending(path: file),
                    options: .alwaysMapped
                )
            else { continue }
            #expect(!data.withUnsafeBytes { CodePoolTests.contains($0, marker) }, "a code is in clear in \(file)")
        }
        // The whole outbox again: nothing changes.
        try await syncer.syncOnce()
        #expect(try await cold.codeCounts(sku: sku) == (pooled: 4, assigned: 2))
        let report = try await Reconciler(inventory: inventory, cold: cold, logger: TestEngine.logger)
            .reconcile(fix: false, only: [sku])
        #expect(report.drift.isEmpty, "\(report.drift)")
        // Redis loses everything; warm brings the SKU back from MySQL: pool, fingerprints,
        // the confirmed order's codes and its delivery, the live hold.
        try await TestEngine.wipe(inventory)
        let warm = try await Warmer(inventory: inventory, cold: cold, logger: TestEngine.logger).warm(sku: sku)
        #expect(warm.warmed == [sku] && warm.liveHolds == 1)
        #expect(try await inventory.sku(sku).available == hot.available)
        #expect(try await inventory.poolSize(sku: sku) == 4)
        #expect(try await inventory.deliverCodes(sku: sku, order: "a") == delivered)
        let reloaded = try await inventory.loadCodes(sku: sku, batch: "again", codes: delivered.codes + ["NEW-1"])
        #expect(reloaded.added == 1 && reloaded.duplicates == 2)
        _ = try await inventory.confirm(sku: sku, order: "b")
        let second = try await inventory.deliverCodes(sku: sku, order: "b").codes
        #expect(
            second.count == 1 && Set(second).isDisjoint(with: delivered.codes) && Set(second).isSubset(of: Set(loaded))
        )
        try await CodePoolTests.expectPoolMatches(inventory, sku)
        try await syncer.syncOnce()
        let after = try await Reconciler(inventory: inventory, cold: cold, logger: TestEngine.logger)
            .reconcile(fix: false, only: [sku])
        #expect(after.drift.isEmpty, "\(after.drift)")
        // Past its retention Redis forgets the hold; MySQL still answers the same codes.
        let dropper = try TestEngine.adminPool()
        _ = try await dropper.send("DEL", inventory.keys.holdKey(sku: sku, order: "a"))
        await dropper.shutdown()
        await #expect(throws: InventoryError.self) { try await inventory.deliverCodes(sku: sku, order: "a") }
        let fromMySQL = try await cold.deliverCodes(
            sku: sku,
            order: "a",
            sealer: TestEngine.codeSealer,
            nowMs: try await inventory.redisTimeMs()
        )
        #expect(fromMySQL == delivered)
        #expect(try await cold.deliverCodes(sku: sku, order: "none", sealer: TestEngine.codeSealer, nowMs: 0) == nil)
    }
}

/// The live metrics of code pools.
@Suite("Code pool metrics")
struct CodePoolMonitorTests {
    @Test func poolSizesAssignmentsAndPaidButNotDeliveredOrders() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d5")
        let sku = try await CodePoolTests.codesSKU(inventory, codes: CodePoolTests.codes(5))
        let monitor = CodePoolMonitor(inventory: inventory, grace: .zero, logger: TestEngine.logger)
        var snapshot = try await monitor.measure()
        #expect(snapshot.poolSize[sku] == 5 && snapshot.assigned[sku] == 0)
        let paidBefore = snapshot.paidNotDelivered
        _ = try await inventory.placeHold(sku: sku, order: "p1", qty: 2)
        _ = try await inventory.confirm(sku: sku, order: "p1")
        _ = try await inventory.placeHold(sku: sku, order: "p2", qty: 1)
        _ = try await inventory.confirm(sku: sku, order: "p2")
        try await Task.sleep(for: .milliseconds(5))
        snapshot = try await monitor.measure()
        #expect(snapshot.poolSize[sku] == 2 && snapshot.assigned[sku] == 3)
        #expect(snapshot.paidNotDelivered == paidBefore + 2)
        _ = try await inventory.deliverCodes(sku: sku, order: "p1")
        _ = try await inventory.deliverCodes(sku: sku, order: "p1")
        snapshot = try await monitor.measure()
        #expect(snapshot.paidNotDelivered == paidBefore + 1)
        // Within the grace period a fresh order is not late yet.
        let patient = CodePoolMonitor(inventory: inventory, grace: .seconds(600), logger: TestEngine.logger)
        #expect(try await patient.measure().paidNotDelivered <= paidBefore)
    }
}

/// Codes survive what may happen between a confirm and the buyer's fetch.
@Suite("Code pools through crashes")
struct CodePoolCrashTests {
    @Test func redisKilledBetweenConfirmAndFetchGivesTheSameCodesAfterwards() async throws {
        let redis = try ScratchRedis()
        defer { redis.destroy() }
        try await redis.start()
        let pool = RedisConnectionPool(configuration: try RedisConfiguration(url: redis.url), logger: TestEngine.logger)
        let inventory = Inventory(
            redis: pool,
            configuration: InventoryConfiguration(codeSealer: TestEngine.codeSealer),
            logger: TestEngine.logger
        )
        try await inventory.prepare()
        let sku = try await CodePoolTests.codesSKU(inventory, codes: CodePoolTests.codes(10))
        _ = try await inventory.placeHold(sku: sku, order: "k1", qty: 3)
        let confirmed = try await inventory.confirm(sku: sku, order: "k1").hold
        #expect(confirmed.codesCount == 3)
        // The process that confirmed is gone, and Redis with it (kill -9, AOF always).
        redis.kill()
        try await redis.start()
        let first = try await inventory.deliverCodes(sku: sku, order: "k1")
        #expect(first.codes.count == 3)
        // A retried payment callback after the crash changes nothing.
        #expect(try await inventory.confirm(sku: sku, order: "k1").hold.codesCount == 3)
        #expect(try await inventory.deliverCodes(sku: sku, order: "k1") == first)
        try await CodePoolTests.expectPoolMatches(inventory, sku)
        #expect(try await inventory.poolSize(sku: sku) == 7)
        await pool.shutdown()
    }
}
