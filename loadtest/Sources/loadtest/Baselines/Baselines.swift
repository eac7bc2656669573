import Foundation
import HotStockCore
import MariaDBClient
import RedisClient
import Synchronization

/// The designs HotStock replaces, run with the same flash sale (same buyers, same
/// concurrency): a MySQL row-lock reservation, and a bare Redis `DECRBY` with no holds.
enum Baselines {
    /// Hands out buyer numbers.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
    }

    /// `UPDATE stock SET qty = qty - ? WHERE sku = ? AND qty >= ?` plus an `INSERT` of the
    /// hold, in one transaction per hold. Returns holds attempted per second.
    static func mysqlRowLock(scenario: Scenario, pool: MariaDBConnectionPool) async throws -> Double {
        let sku = "baseline-\(UUID().uuidString.prefix(8))"
        try await pool.withConnection { connection in
            try await connection.executeText(
                "CREATE TABLE IF NOT EXISTS baseline_stock (sku VARCHAR(64) PRIMARY KEY, qty BIGINT NOT NULL) ENGINE=InnoDB"
            )
            try await connection.executeText(
                """
                CREATE TABLE IF NOT EXISTS baseline_holds (sku VARCHAR(64) NOT NULL, order_id VARCHAR(64) NOT NULL,
                qty BIGINT NOT NULL, PRIMARY KEY (sku, order_id)) ENGINE=InnoDB
                """
            )
            try await connection.execute(
                "INSERT INTO baseline_stock (sku, qty) VALUES (?, ?)",
                [.text(sku), .int(scenario.unitsPerSKU)]
            )
        }
        return try await perSecond(scenario) { index in
            let qty = Int64(index % Int(scenario.maxUnitsPerHold)) + 1
            try await pool.withConnection { connection in
                try await connection.transaction { connection in
                    let taken = try connection.execute(
                        "UPDATE baseline_stock SET qty = qty - ? WHERE sku = ? AND qty >= ?",
                        [.int(qty), .text(sku), .int(qty)]
                    )
                    if taken == 1 {
                        try connection.execute(
                            "INSERT INTO baseline_holds (sku, order_id, qty) VALUES (?, ?, ?)",
                            [.text(sku), .text("o\(index)"), .int(qty)]
                        )
                    }
                }
            }
        }
    }

    /// `DECRBY` on one counter, given back with `INCRBY` when it goes below zero.
    static func redisDecr(scenario: Scenario, pool: RedisConnectionPool) async throws -> Double {
        let key = "hs:{baseline}:decr:\(UUID().uuidString.prefix(8))"
        _ = try await pool.send("SET", key, String(scenario.unitsPerSKU))
        let rate = try await perSecond(scenario) { index in
            let qty = String(index % Int(scenario.maxUnitsPerHold) + 1)
            if (try await pool.send("DECRBY", key, qty).int ?? 0) < 0 {
                _ = try await pool.send("INCRBY", key, qty)
            }
        }
        _ = try await pool.send("DEL", key)
        return rate
    }

    /// Runs `job` once per buyer of the scenario on `concurrency` workers; returns buyers
    /// served per second.
    private static func perSecond(
        _ scenario: Scenario,
        _ job: @escaping @Sendable (Int) async throws -> Void
    ) async throws -> Double {
        let counter = Counter()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<scenario.concurrency {
                group.addTask {
                    while true {
                        let index = counter.take()
                        if index >= scenario.buyers { return }
                        try await job(index)
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(scenario.buyers) / seconds(since: started)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start).inSeconds
    }
}
