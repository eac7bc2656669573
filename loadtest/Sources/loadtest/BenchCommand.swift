import ArgumentParser
import Foundation
import HotStockCore
import Logging
import MariaDBClient
import RedisClient
import Synchronization

/// `loadtest bench`: one line per figure the project tracks — in-process holds/s on one
/// hot SKU, and the ceiling of the same hold function measured by `redis-benchmark` on
/// the same Redis in the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure hold throughput in-process and with redis-benchmark, side by side."
    )

    @Option(name: .customLong("redis-url"), help: "redis://user:pass@host:port/db (env HOTSTOCK_REDIS_URL).")
    var redisURL: String?
    @Option(help: "Holds placed by the in-process run.") var holds = 200_000
    @Option(help: "Concurrent tasks placing holds.") var concurrency = 256
    @Option(name: .customLong("pool-size"), help: "Redis connections of the engine.") var poolSize = 4
    @Option(name: .customLong("benchmark-requests"), help: "Requests per redis-benchmark run (0 skips it).")
    var benchmarkRequests = 200_000
    @Option(
        name: .customLong("mysql-url"),
        help: "Also measure the syncer into this MySQL (env HOTSTOCK_MYSQL_URL; 'none' skips it)."
    )
    var mysqlURL: String?

    func validate() throws {
        guard holds > 0, concurrency > 0, (1...64).contains(poolSize), benchmarkRequests >= 0 else {
            throw ValidationError("holds, concurrency and pool size must be positive (pool size at most 64)")
        }
    }

    func run() async throws {
        var logger = Logger(label: "hotstock.bench")
        logger.logLevel = .warning
        let url = redisURL ?? ProcessInfo.processInfo.environment["HOTSTOCK_REDIS_URL"] ?? "redis://127.0.0.1:6379/0"
        var configuration = try RedisConfiguration(url: url)
        configuration.poolSize = poolSize
        let pool = RedisConnectionPool(configuration: configuration, logger: logger)
        let inventory = Inventory(redis: pool, logger: logger)
        try await inventory.prepare()
        // INFO and MEMORY are the administrator's (ops/redis/users.acl), when there is one.
        let admin = try ProcessInfo.processInfo.environment["HOTSTOCK_REDIS_ADMIN_URL"].map {
            RedisConnectionPool(configuration: try RedisConfiguration(url: $0), logger: logger)
        }
        let redis = admin ?? pool

        let cpuBefore = await CPUMeter.redisSeconds(redis)
        let inProcess = try await measureInProcess(inventory)
        print(
            String(
                format: "inprocess_holds_per_s %.0f  (holds=%d concurrency=%d pool=%d)",
                inProcess,
                holds,
                concurrency,
                poolSize
            )
        )
        if let cpuBefore, let cpuAfter = await CPUMeter.redisSeconds(redis) {
            print(
                String(
                    format: "redis_cpu_us_per_hold %.1f  (INFO cpu, summed over the primaries)",
                    (cpuAfter - cpuBefore) * 1e6 / Double(holds)
                )
            )
        }
        if let mysql = mysqlURL ?? ProcessInfo.processInfo.environment["HOTSTOCK_MYSQL_URL"], mysql != "none" {
            let (events, perSecond) = try await measureSyncer(inventory, mysqlURL: mysql, logger: logger)
            print(String(format: "syncer_events_per_s %.0f  (%d outbox entries into MySQL)", perSecond, events))
        }
        let perHold = try await measureMemoryPerHold(inventory, redis: redis, count: 50_000)
        print(String(format: "redis_bytes_per_live_hold %.0f  (50000 holds, outbox excluded)", perHold))
        if benchmarkRequests > 0 {
            let sku = "bench-rb-\(UUID().uuidString.prefix(8))"
            _ = try await inventory.setSKU(sku, SKUUpdate(total: InventoryLimits.maxCount))
            let benchmark = RedisBenchmark(configuration: configuration, keys: inventory.keys, sku: sku)
            let plain = try benchmark.run(requests: benchmarkRequests, clients: 50, pipeline: 1)
            let pipelined = try benchmark.run(requests: benchmarkRequests, clients: 50, pipeline: 16)
            print(String(format: "redis_benchmark_hold_per_s %.0f  (50 clients, unpipelined)", plain))
            print(String(format: "redis_benchmark_hold_pipelined_per_s %.0f  (50 clients, -P 16)", pipelined))
            print(String(format: "inprocess_vs_pipelined_ceiling %.2f", inProcess / pipelined))
            if let adminURL = ProcessInfo.processInfo.environment["HOTSTOCK_REDIS_ADMIN_URL"] {
                try await compareWithReference(adminURL: adminURL, sku: sku, keys: inventory.keys, logger: logger)
            }
        }
        await admin?.shutdown()
        await pool.shutdown()
    }

    /// Places `holds` holds of one unit on one fresh SKU from `concurrency` tasks; checks
    /// the stock invariant afterwards and returns holds per second.
    private func measureInProcess(_ inventory: Inventory) async throws -> Double {
        let sku = "bench-\(UUID().uuidString.prefix(8))"
        _ = try await inventory.setSKU(sku, SKUUpdate(total: Int64(holds)))
        let next = Counter()
        let target = holds
        let clock = ContinuousClock()
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while true {
                        let index = next.take()
                        if index >= target { return }
                        _ = try await inventory.placeHold(sku: sku, order: "o\(index)", ttlMs: 60_000)
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = clock.now - started
        let snapshot = try await inventory.sku(sku)
        guard snapshot.isBalanced, snapshot.held == Int64(holds), snapshot.available == 0 else {
            throw ValidationError("invariant broken after the run: \(snapshot)")
        }
        return Double(holds) / elapsed.inSeconds
    }

    /// Redis bytes per live hold: `used_memory` grown by `count` one-unit holds on a fresh
    /// SKU, less what the outbox stream grew by (the syncer trims that part away).
    /// On a cluster, `used_memory` is summed over the primaries.
    private func measureMemoryPerHold(_ inventory: Inventory, redis: RedisConnectionPool, count: Int) async throws
        -> Double
    {
        let sku = "mem-\(UUID().uuidString.prefix(4))"
        _ = try await inventory.setSKU(sku, SKUUpdate(total: Int64(count)))
        let events = inventory.keys.eventsKey(partition: inventory.keys.partition(of: sku))
        func streamMemory() async throws -> Int64 {
            (try? await redis.send(.memoryUsage(events)).int) ?? 0
        }
        let before = try await RedisInfo.usedMemory(redis)
        let streamBefore = try await streamMemory()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<64 {
                group.addTask {
                    for index in stride(from: worker, to: count, by: 64) {
                        _ = try await inventory.placeHold(sku: sku, order: "m\(index)", ttlMs: 3_600_000)
                    }
                }
            }
            try await group.waitForAll()
        }
        let grown = try await RedisInfo.usedMemory(redis) - before - (try await streamMemory() - streamBefore)
        return Double(grown) / Double(count)
    }

    /// Drains the outbox (the run above filled it) into MySQL; returns entries applied
    /// and entries per second.
    private func measureSyncer(_ inventory: Inventory, mysqlURL: String, logger: Logger) async throws -> (Int, Double) {
        let pool = MariaDBConnectionPool(configuration: try MariaDBConfiguration(url: mysqlURL), logger: logger)
        let cold = ColdStore(pool: pool, logger: logger)
        if let adminURL = ProcessInfo.processInfo.environment["HOTSTOCK_MYSQL_ADMIN_URL"] {
            let admin = MariaDBConnectionPool(configuration: try MariaDBConfiguration(url: adminURL), logger: logger)
            try await ColdStore(pool: admin, logger: logger).migrate()
            await admin.shutdown()
        } else {
            try await cold.migrate()
        }
        let syncer = Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: logger)
        let clock = ContinuousClock()
        let started = clock.now
        let report = try await syncer.syncOnce()
        let elapsed = clock.now - started
        await pool.shutdown()
        return (report.applied, Double(report.applied) / elapsed.inSeconds)
    }

    /// `hs_hold` next to the reference hold script (``ReferenceHoldScript``), both run by
    /// the administrator on the same SKU, alternating three times: the medians and their
    /// ratio.
    private func compareWithReference(adminURL: String, sku: String, keys: KeySpace, logger: Logger) async throws {
        let configuration = try RedisConfiguration(url: adminURL)
        let admin = RedisConnectionPool(configuration: configuration, logger: logger)
        try await ReferenceHoldScript.load(on: admin)
        await admin.shutdown()
        let benchmark = RedisBenchmark(configuration: configuration, keys: keys, sku: sku)
        var hold: [Double] = []
        var reference: [Double] = []
        for _ in 0..<3 {
            hold.append(try benchmark.run(requests: benchmarkRequests, clients: 50, pipeline: 16))
            reference.append(
                try benchmark.run(requests: benchmarkRequests, clients: 50, pipeline: 16, reference: true)
            )
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        print(
            String(
                format:
                    "redis_benchmark_reference_hold_pipelined_per_s %.0f  (2 HINCRBY, HSET, ZADD, XADD; median of 3)",
                median(reference)
            )
        )
        print(
            String(
                format: "hold_vs_reference_ceiling %.2f  (hs_hold median %.0f)",
                median(hold) / median(reference),
                median(hold)
            )
        )
    }

    /// Hands out order numbers to the benchmark's tasks.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
    }
}
