import Foundation
import Histogram
import HotStockCore
import RedisClient

/// Checks the invariants of DESIGN section 2 after a run, against Redis and MySQL.
struct InvariantChecker {
    let inventory: Inventory
    let cold: ColdStore?
    let scenario: Scenario
    let skus: [String]
    let ledger: Ledger
    /// The codes loaded into each codes SKU (empty for counted SKUs).
    var loadedCodes: [String: Set<String>] = [:]

    struct Findings: Codable, Sendable {
        var violations: [String] = []
        var sweeperLatenessP99Ms: Int64 = 0
        var sweeperLatenessMaxMs: Int64 = 0
        var expiredHolds = 0
        var mysqlCatchUpMs: Int64?
        /// Holds or confirms a client saw succeed that Redis no longer shows.
        var acknowledgedLost = 0
        /// Units sold beyond the total, summed over the SKUs.
        var unitsOversold: Int64 = 0
        /// Distinct codes fetched by buyers (codes SKUs).
        var codesDelivered = 0
        /// Orders of several SKUs checked, and those found partly held, confirmed or
        /// released (or still between two steps) after recovery.
        var ordersChecked = 0
        var partialOrders = 0
    }

    /// Waits for abandoned holds to expire (the sweeper's work), then checks.
    func check(loadEnded: ContinuousClock.Instant) async throws -> Findings {
        var findings = Findings()
        if let cold {
            // How long MySQL takes to equal Redis once the load stops.
            findings.mysqlCatchUpMs = try await waitForMySQL(cold, since: loadEnded)
        }
        try await waitForSweeper()
        if scenario.kind == "cart" { try await checkOrders(into: &findings) }
        for sku in skus {
            let snapshot = try await inventory.sku(sku)
            if !snapshot.isBalanced {
                findings.violations.append(
                    "\(sku): available \(snapshot.available) + held \(snapshot.held) + sold \(snapshot.sold) != total \(snapshot.total)"
                )
            }
            if snapshot.sold > snapshot.total {
                findings.unitsOversold += snapshot.sold - snapshot.total
                findings.violations.append("\(sku): oversold, sold \(snapshot.sold) > total \(snapshot.total)")
            }
            let seen = ledger.confirmedUnits(sku)
            if snapshot.sold != seen {
                findings.violations.append("\(sku): sold \(snapshot.sold) but clients saw \(seen) units confirmed")
            }
            try await checkBuckets(of: sku, into: &findings)
        }
        for order in ledger.falseSoldOutOrders.prefix(20) {
            findings.violations.append("sold_out answered to \(order) while the SKU had the units")
        }
        let now = try await inventory.redisTimeMs()
        var lateness = Histogram<UInt64>(highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: .three)
        var buyers: [String: Set<String>] = [:]
        for placed in ledger.holds {
            let hold: Hold
            do {
                hold = try await inventory.hold(sku: placed.sku, order: placed.order)
            } catch let error as InventoryError where error.code == .holdNotFound {
                findings.acknowledgedLost += 1
                findings.violations.append("acknowledged hold \(placed.sku)/\(placed.order) is gone from Redis")
                continue
            }
            if hold.qty != placed.qty {
                findings.acknowledgedLost += 1
                findings.violations.append(
                    "hold \(placed.sku)/\(placed.order) has qty \(hold.qty), client held \(placed.qty)"
                )
            }
            if ledger.isConfirmed(sku: placed.sku, order: placed.order) && hold.state != .confirmed {
                findings.acknowledgedLost += 1
                findings.violations.append(
                    "confirmed hold \(placed.sku)/\(placed.order) is \(hold.state.rawValue) in Redis"
                )
            }
            if hold.state == .held && hold.expiresAtMs <= now {
                findings.violations.append(
                    "hold \(placed.sku)/\(placed.order) still held \(now - hold.expiresAtMs) ms past its expiry"
                )
            }
            if hold.state == .expired, let final = hold.finalAtMs {
                _ = lateness.record(UInt64(max(0, final - hold.expiresAtMs)))
                findings.expiredHolds += 1
            }
            if let buyer = placed.buyer { buyers[placed.sku, default: []].insert(buyer) }
        }
        if scenario.skuKind == "codes" { try await checkCodes(into: &findings) }
        findings.sweeperLatenessP99Ms = Int64(lateness.valueAtPercentile(99))
        findings.sweeperLatenessMaxMs = Int64(lateness.max)
        if let limit = scenario.perBuyerLimit {
            for (sku, names) in buyers {
                // Over buckets a buyer's units are counted where its holds route: add them all.
                let records = try await inventory.buckets(of: sku).map(\.id)
                for buyer in names {
                    var units: Int64 = 0
                    for record in records {
                        let counted = try await inventory.redis.send(
                            .hmget(inventory.keys.buyersKey(record), fields: [buyer])
                        )
                        units += counted.array?.first?.int ?? 0
                    }
                    if units > limit {
                        findings.violations.append("buyer \(buyer) of \(sku) has \(units) units, limit \(limit)")
                    }
                }
            }
        }
        if let cold {
            // After the expiries, MySQL must come level again, then match hold by hold.
            let levelAgain = try await waitForMySQL(cold, since: .now)
            if findings.mysqlCatchUpMs == nil || levelAgain == nil {
                findings.violations.append("MySQL did not catch up with Redis within 90 s")
            }
            let report = try await Reconciler(inventory: inventory, cold: cold, logger: inventory.logger)
                .reconcile(fix: false, only: Set(skus))
            for drift in report.drift.prefix(20) {
                findings.violations.append(
                    "MySQL differs: \(drift.kind) \(drift.id) \(drift.field) redis=\(drift.redis) mysql=\(drift.mysql)"
                )
            }
        }
        return findings
    }

    /// DESIGN section 5b: every confirmed order got exactly `qty` codes, no code went to
    /// two orders, every code came from the loaded set, and each pool holds
    /// `available + held` codes.
    private func checkCodes(into findings: inout Findings) async throws {
        let delivered = ledger.deliveredCodes
        var seen: [String: String] = [:]
        for placed in ledger.holds where ledger.isConfirmed(sku: placed.sku, order: placed.order) {
            let key = "\(placed.sku)/\(placed.order)"
            guard let codes = delivered[key] else {
                findings.violations.append("confirmed order \(key) could not fetch its codes")
                continue
            }
            if codes.count != Int(placed.qty) {
                findings.violations.append("order \(key) got \(codes.count) codes for \(placed.qty) units")
            }
            for code in codes {
                if let other = seen.updateValue(key, forKey: code) {
                    findings.violations.append("a code went to both \(other) and \(key)")
                }
                if loadedCodes[placed.sku]?.contains(code) != true {
                    findings.violations.append("order \(key) got a code that was never loaded")
                }
            }
        }
        for sku in skus {
            let snapshot = try await inventory.sku(sku)
            let pool = try await inventory.poolSize(sku: sku)
            if pool != snapshot.available + snapshot.held {
                findings.violations.append(
                    "\(sku): \(pool) codes in the pool, available + held = \(snapshot.available + snapshot.held)"
                )
            }
        }
        findings.codesDelivered = seen.count
    }

    /// Waits until no held units remain past the abandon TTL (at most TTL + 15 s).
    private func waitForSweeper() async throws {
        let deadline = ContinuousClock.now + .milliseconds(scenario.abandonTTLMs + 15_000)
        while ContinuousClock.now < deadline {
            var held: Int64 = 0
            for sku in skus { held += try await inventory.sku(sku).held }
            if held == 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Per-bucket balance of a spread SKU (DESIGN section 12): every bucket balanced with
    /// nothing negative, no units left in transit, and the buckets' totals the SKU's.
    private func checkBuckets(of sku: String, into findings: inout Findings) async throws {
        let records = try await inventory.buckets(of: sku)
        guard records.count > 1 else { return }
        for record in records where !record.isBalanced || record.available < 0 {
            findings.violations.append(
                "bucket \(record.id): available \(record.available) + held \(record.held) + sold \(record.sold) != total \(record.total)"
            )
        }
        let transit = try await inventory.unitsInTransit(of: sku, records: records.count)
        if transit != 0 { findings.violations.append("\(sku): \(transit) units still in transit after the run") }
        if scenario.skuKind != "codes", records.reduce(0, { $0 + $1.total }) + transit != scenario.unitsPerSKU {
            findings.violations.append("\(sku): the buckets' totals and units in transit differ from the total")
        }
    }

    /// Whether MySQL has the SKU as Redis does, record by record: the SKU's own row, and a
    /// spread SKU's bucket rows (DESIGN section 12).
    private func coldEqualsHot(_ cold: ColdStore, _ sku: String) async throws -> Bool {
        let hot = try await inventory.buckets(of: sku)
        guard let own = hot.first, try await cold.sku(sku)?.sku == own else { return false }
        let rows = try await cold.buckets(sku: sku)
        for record in hot.dropFirst() {
            guard let index = BucketID(record.id)?.index, let row = rows[index] else { return false }
            if (row.total, row.available, row.held, row.sold, row.version)
                != (record.total, record.available, record.held, record.sold, record.version)
            {
                return false
            }
        }
        return true
    }

    /// Milliseconds from the end of the load until the outbox is drained (nothing pending,
    /// nothing unread: a dead syncer's entries are claimed after 30 s) and MySQL's
    /// counters equal Redis's.
    private func waitForMySQL(_ cold: ColdStore, since loadEnded: ContinuousClock.Instant) async throws -> Int64? {
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            var equal = try await OutboxBacklog.measure(redis: inventory.redis, keys: inventory.keys).isEmpty
            for sku in skus where equal {
                equal = try await coldEqualsHot(cold, sku)
            }
            if equal {
                let waited = ContinuousClock.now - loadEnded
                return waited.inMilliseconds
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}
