import ArgumentParser
import Foundation
import Histogram
import HotStockCore
import Logging
import MariaDBClient
import RedisClient

/// `loadtest run SCENARIO`: drive a scenario against the engine, check every invariant,
/// write the reports; exit 1 naming any violation.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario (flash, catalog, retry-storm or a JSON file), check the invariants, write reports."
    )

    @Argument(help: "A scenario name from loadtest/scenarios/ or a JSON file.") var scenarioName: String
    @Option(help: "inprocess, or the base URL of a running hotstock serve.") var target = "inprocess"
    @Option(help: "Override the scenario's buyer count.") var buyers: Int?
    @Option(help: "Override the scenario's concurrency.") var concurrency: Int?
    @Option(help: "Override the scenario's units per SKU.") var units: Int64?
    @Option(help: "Override the scenario's seed.") var seed: UInt64?
    @Option(help: "Spread each SKU over this many buckets (1...64).") var buckets: Int64?
    @Option(name: .customLong("per-buyer-limit"), help: "Override the scenario's per-buyer limit (0: none).")
    var perBuyerLimit: Int64?
    @Option(
        help: "Change every SKU's bucket count while the load runs: COUNT@SECONDS after the start (repeatable)."
    )
    var rebucket: [String] = []
    @Option(help: "Override the scenario's duration in seconds.") var duration: Double?
    @Option(help: "Folder for report.json and report.html (default loadtest/out/<scenario>).") var out: String?
    @Flag(help: "Also run the MySQL row-lock and bare Redis DECRBY baselines with the same sale.") var baselines = false
    @Flag(name: .customLong("no-mysql"), help: "Skip MySQL (no syncer, no MySQL checks).") var noMySQL = false
    @Option(help: "Open loop: buyers arriving per second on a fixed schedule, whatever the answers.")
    var rate: Double?
    @Option(
        name: .customLong("server-pid"),
        help: "The pid of the hotstock serve under test: report its CPU per request."
    )
    var serverPID: Int32?
    @Option(name: .customLong("bare-url"), help: "A bare route (loadtest bare-http …/bare) to measure beside the run.")
    var bareURL: String?
    @Option(name: .customLong("bare-pid"), help: "The pid of the bare-http server.") var barePID: Int32?

    func run() async throws {
        var scenario = try Scenario.load(scenarioName)
        if let buyers { scenario.buyers = buyers }
        if let buckets { scenario.buckets = buckets }
        if let perBuyerLimit { scenario.perBuyerLimit = perBuyerLimit > 0 ? perBuyerLimit : nil }
        if let concurrency { scenario.concurrency = concurrency }
        if let units { scenario.unitsPerSKU = units }
        if let seed { scenario.seed = seed }
        if let duration { scenario.durationS = duration }
        try scenario.validate()
        if let rate, !(rate >= 0.01 && rate <= 1_000_000) {
            throw ValidationError("--rate must be a number of buyers per second in 0.01...1000000")
        }
        if (bareURL == nil) != (barePID == nil) { throw ValidationError("--bare-url and --bare-pid go together") }
        let changes = try rebucket.map(BucketChange.init(parsing:)).sorted { $0.afterSeconds < $1.afterSeconds }

        let environment = ProcessInfo.processInfo.environment
        var logger = Logger(label: "hotstock.loadtest")
        logger.logLevel = .warning
        var redisConfiguration = try RedisConfiguration(
            url: environment["HOTSTOCK_REDIS_URL"] ?? "redis://127.0.0.1:6379/0"
        )
        redisConfiguration.poolSize = 4
        let redis = RedisConnectionPool(configuration: redisConfiguration, logger: logger)
        let partitions = environment["HOTSTOCK_PARTITIONS"].flatMap { Int($0) } ?? 16
        var configuration = InventoryConfiguration(
            keySpace: KeySpace(partitions: partitions),
            codeSealer: try CodeKeyRing.fromEnvironment(environment).map(CodeSealer.init(ring:))
        )
        // As the engine's processes take it: every change waits for this many replicas.
        configuration.waitReplicas = environment["HOTSTOCK_WAIT_REPLICAS"].flatMap { Int($0) } ?? 0
        let inventory = Inventory(redis: redis, configuration: configuration, logger: logger)
        try await inventory.prepare()
        var mysql: MariaDBConnectionPool?
        if !noMySQL, let url = environment["HOTSTOCK_MYSQL_URL"] {
            var configuration = try MariaDBConfiguration(url: url)
            configuration.poolSize = 8
            mysql = MariaDBConnectionPool(configuration: configuration, logger: logger)
        }
        let cold = mysql.map { ColdStore(pool: $0, logger: logger) }
        // Migrations and the baseline's tables need the administrator, when there is one.
        var admin: MariaDBConnectionPool? = mysql
        if mysql != nil, let url = environment["HOTSTOCK_MYSQL_ADMIN_URL"] {
            admin = MariaDBConnectionPool(configuration: try MariaDBConfiguration(url: url), logger: logger)
        }
        if let admin { try await ColdStore(pool: admin, logger: logger).migrate() }

        let runID = UUID().uuidString.prefix(6).lowercased()
        let skus = (0..<scenario.skus).map { "\(scenario.name)-\(runID)-\($0)" }
        var update = scenario.skuKind == "codes" ? SKUUpdate(kind: .codes) : SKUUpdate(total: scenario.unitsPerSKU)
        update.maxQty = .set(max(scenario.maxUnitsPerHold, 1))
        if let limit = scenario.perBuyerLimit { update.perBuyerLimit = .set(limit) }
        update.buckets = scenario.buckets
        if let rate = scenario.releaseRate {
            update.releaseRate = .set(rate)
            update.releaseBurst = .set(scenario.releaseBurst ?? 0)
            update.opensAtMs = .set(try await inventory.redisTimeMs())
        }
        for sku in skus { _ = try await inventory.setSKU(sku, update) }
        // A codes SKU gets its pool: `units_per_sku` codes, each marked with the run and SKU.
        var loadedCodes: [String: Set<String>] = [:]
        if scenario.skuKind == "codes" {
            for sku in skus {
                let codes = (0..<Int(scenario.unitsPerSKU)).map { "LT-\(sku)-\($0)" }
                for first in stride(from: 0, to: codes.count, by: InventoryLimits.maxCodesPerBatch) {
                    let part = Array(codes[first..<min(first + InventoryLimits.maxCodesPerBatch, codes.count)])
                    _ = try await inventory.loadCodes(sku: sku, batch: "b\(first)", codes: part)
                }
                loadedCodes[sku] = Set(codes)
            }
        }

        let driver: any LoadDriver
        var httpDriver: HTTPDriver?
        if target == "inprocess" {
            driver = InProcessDriver(inventory: inventory)
        } else {
            let http = HTTPDriver.make(
                baseURL: target,
                token: environment["HOTSTOCK_API_TOKEN"] ?? "",
                connections: scenario.concurrency
            )
            httpDriver = http
            driver = http
        }

        let recorder = Recorder()
        let ledger = Ledger()
        let sampler = StockSampler()
        let progress = LiveProgress(recorder: recorder, total: scenario.buyers)
        let inProcess = target == "inprocess"
        var runner = ScenarioRunner(
            scenario: scenario,
            driver: driver,
            skuIDs: skus,
            recorder: recorder,
            ledger: ledger
        )
        runner.rate = rate
        let redisAdmin = try environment["HOTSTOCK_REDIS_ADMIN_URL"].map {
            RedisConnectionPool(configuration: try RedisConfiguration(url: $0), logger: logger)
        }
        let serverCPUBefore = serverPID.flatMap(CPUMeter.processSeconds(pid:))
        let redisCPUBefore = redisAdmin == nil ? nil : await CPUMeter.redisSecondsPerPrimary(redisAdmin!)
        let (loadSeconds, cpuAfter, findings) = try await withThrowingTaskGroup(
            of: Void.self,
            returning: (Double, (server: Double?, redis: [String: Double]?), InvariantChecker.Findings).self
        ) { group in
            // In-process runs carry their own sweeper and syncer; a server runs its own.
            if inProcess {
                let sweeper = Sweeper(inventory: inventory, logger: logger)
                group.addTask { try await sweeper.run() }
                if let cold {
                    let syncer = Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: logger)
                    group.addTask { try await syncer.run() }
                }
            }
            group.addTask { await sampler.run(inventory: inventory, skus: skus, recorder: recorder) }
            if !changes.isEmpty {
                let total = scenario.unitsPerSKU
                group.addTask { await BucketChange.apply(changes, to: skus, total: total, inventory: inventory) }
            }
            let started = recorder.elapsed
            await runner.run { progress.tick() }
            let cpuAfter = (
                server: serverPID.flatMap(CPUMeter.processSeconds(pid:)),
                redis: redisAdmin == nil ? nil : await CPUMeter.redisSecondsPerPrimary(redisAdmin!)
            )
            let loadEnded = ContinuousClock.now
            let loadSeconds = recorder.elapsed - started
            progress.finish()
            let findings = try await InvariantChecker(
                inventory: inventory,
                cold: cold,
                scenario: scenario,
                skus: skus,
                ledger: ledger,
                loadedCodes: loadedCodes
            ).check(loadEnded: loadEnded)
            group.cancelAll()
            return (loadSeconds, cpuAfter, findings)
        }

        let snapshot = recorder.snapshot
        let holdCount = snapshot.outcomes[scenario.kind == "cart" ? "order" : "hold"]?.values.reduce(0, +) ?? 0
        let allCount = snapshot.outcomes.values.flatMap(\.values).reduce(0, +)
        var report = RunReport(
            scenario: scenario,
            target: driver.target,
            loadSeconds: loadSeconds,
            holdsPerSecond: Double(holdCount) / max(loadSeconds, 0.001),
            operationsPerSecond: Double(allCount) / max(loadSeconds, 0.001),
            latency: snapshot.latency.mapValues(RunReport.latency),
            outcomes: snapshot.outcomes,
            timeline: snapshot.seconds.enumerated().map { index, second in
                RunReport.Second(
                    t: index,
                    operations: second.operations,
                    p99Ms: Double(second.latency.valueAtPercentile(99)) / 1000
                )
            },
            stock: sampler.curve,
            findings: findings,
            baselines: nil
        )
        if baselines {
            var figures = RunReport.BaselineFigures()
            if let admin {
                figures.mysqlRowLockHoldsPerS = try await Baselines.mysqlRowLock(scenario: scenario, pool: admin)
                figures.hotstockOverMySQL = figures.mysqlRowLockHoldsPerS.map { report.holdsPerSecond / $0 }
            }
            figures.redisDecrPerS = try await Baselines.redisDecr(scenario: scenario, pool: redis)
            figures.hotstockOverRedisDecr = figures.redisDecrPerS.map { report.holdsPerSecond / $0 }
            report.baselines = figures
        }
        if let rate {
            print(
                String(format: "open loop: %.0f buyers/s scheduled; hold latency counts from each scheduled send", rate)
            )
        }
        // CPU per request of the server and Redis during the load, beside the bare route's.
        let perRequest = { (before: Double?, after: Double?) -> Double? in
            guard let before, let after, allCount > 0 else { return nil }
            return (after - before) * 1e6 / Double(allCount)
        }
        let serverMicros = perRequest(serverCPUBefore, cpuAfter.server)
        if let serverMicros {
            print(String(format: "cpu_us_per_request serve %.1f  (%d requests)", serverMicros, allCount))
        }
        if let before = redisCPUBefore, let after = cpuAfter.redis, before.keys == after.keys,
            let redisMicros = perRequest(before.values.reduce(0, +), after.values.reduce(0, +))
        {
            print(
                String(format: "cpu_us_per_request redis %.1f  (INFO cpu; everything Redis did meanwhile)", redisMicros)
            )
            if let perBuyer = perRequest(before.values.reduce(0, +), after.values.reduce(0, +)).map({
                $0 * Double(allCount) / Double(max(holdCount, 1))
            }) {
                // A buyer's whole visit: its hold or order, then its confirm or release.
                print(String(format: "cpu_us_per_buyer redis %.1f  (%d buyers)", perBuyer, holdCount))
            }
            // On a cluster, each primary's share: how evenly the load spread.
            if after.count > 1 {
                for node in after.keys.sorted() {
                    let micros = perRequest(before[node], after[node]) ?? 0
                    print("cpu_us_per_request redis \(node) " + String(format: "%.1f", micros))
                }
            }
        }
        if let bareURL, let barePID {
            let bare = try await CPUMeter.bareRouteMicros(
                url: bareURL,
                pid: barePID,
                count: min(max(allCount, 10_000), 200_000),
                concurrency: scenario.concurrency
            )
            print(String(format: "cpu_us_per_request bare_route %.1f  (same client, same concurrency)", bare))
            if let serverMicros { print(String(format: "serve_vs_bare_cpu %.2f", serverMicros / bare)) }
        }
        await redisAdmin?.shutdown()
        let folder = URL(fileURLWithPath: out ?? "loadtest/out/\(scenario.name)")
        try report.write(to: folder)
        print(report.text)
        print("reports: \(folder.path)/report.json, \(folder.path)/report.html")

        await httpDriver?.shutdown()
        await redis.shutdown()
        await mysql?.shutdown()
        if admin !== mysql { await admin?.shutdown() }
        if !report.passed { throw ExitCode(1) }
    }
}
