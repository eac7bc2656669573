import ArgumentParser
import AsyncHTTPClient
import Foundation
import HotStockCore
import Logging
import MariaDBClient
import RedisClient

#if canImport(Glibc)
    import Glibc
#endif

/// `loadtest faults`: a flash sale over HTTP against real `hotstock serve`, `sync` and
/// `sweep` processes while Redis is killed with -9 and restarted, the syncer and sweeper
/// are killed, MariaDB is frozen, the scripts are flushed and the server is restarted
/// (SIGTERM) and killed (-9); then every invariant is checked. With `--carts` buyers
/// place orders of several SKUs. Exit 1 names each violation.
struct FaultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faults",
        abstract: "Run a flash sale through injected crashes and outages, then check that nothing was lost."
    )

    @Option(help: "Redis's pid file (ops/dev.sh: .local/test/redis/redis.pid).") var redisPidFile: String?
    @Option(help: "Spread each SKU of the sale over this many buckets (1...64).") var buckets: Int64?
    @Option(help: "Units per SKU (default 1,000,000: the sale never sells out; fewer make buckets run dry).")
    var units: Int64?
    @Option(
        name: .customLong("per-buyer-limit"),
        help: "A per-buyer limit on each SKU (over buckets, holds then route by buyer and bind their orders)."
    )
    var perBuyerLimit: Int64?
    @Flag(
        help:
            "Buyers place orders of 1-5 SKUs (12 SKUs, Zipf demand) instead of single holds; checks that no order is left partial."
    )
    var carts = false
    @Option(help: "A shell command that starts Redis again after a kill.") var redisRestart: String?
    @Option(
        help: "On a Redis Cluster: the folder of its nodes' folders, each with redis.pid (ops/dev.sh: .local/cluster)."
    )
    var clusterDir: String?
    @Option(help: "On a cluster: the script that starts, adds and removes nodes (ops/dev.sh).")
    var clusterScript: String?
    @Option(help: "On a cluster: primary kill -9 count (default 4, small 2).") var primaryKills: Int?
    @Option(help: "On a cluster: reshards of 300 slots during the sale (default 2, small 1).") var reshards: Int?
    @Option(help: "On a cluster: primaries added (port 17007) and removed again (default 1, small 0).")
    var primaryAdds: Int?
    @Option(help: "On a cluster: failovers to a replica frozen for 1 s, which lose writes (default 0).")
    var lossyFailovers: Int?
    @Option(help: "The processes under test acknowledge a change only once this many replicas took it.")
    var waitReplicas: Int?
    @Option(help: "MariaDB's pid file (ops/dev.sh: .local/test/mariadb/mariadb.pid).") var mariadbPidFile: String
    @Option(help: "The hotstock binary (default: next to this one).") var hotstock: String?
    @Option(help: "Port for the hotstock serve process under test.") var port = 18_090
    @Flag(help: "The short form for CI: 3 Redis kills, one of each other fault, a 3 s MariaDB pause.") var small = false
    @Option(help: "Redis kill -9 count (default 12, small 3).") var redisKills: Int?
    @Option(help: "Seconds MariaDB stays frozen per pause (default 20, small 3).") var mariadbPauseS: Double?
    @Option(help: "Mean seconds of plain load between two faults (default 3, small 1.5).") var gapS: Double?
    @Option(help: "Concurrent buyers.") var concurrency = 32
    @Option(help: "Seed of the fault order and the buyers.") var seed: UInt64 = 7
    @Option(help: "Folder for report.json and the processes' logs (default loadtest/out/faults).") var out: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        func required(_ name: String) throws -> String {
            guard let value = environment[name] else { throw ScenarioError("\(name) is not set (ops/dev.sh env test)") }
            return value
        }
        var logger = Logger(label: "hotstock.loadtest.faults")
        logger.logLevel = .warning
        let folder = URL(fileURLWithPath: out ?? "loadtest/out/faults")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        let redis = RedisConnectionPool(
            configuration: try RedisConfiguration(url: try required("HOTSTOCK_REDIS_URL")),
            logger: logger
        )
        let redisAdmin = RedisConnectionPool(
            configuration: try RedisConfiguration(url: try required("HOTSTOCK_REDIS_ADMIN_URL")),
            logger: logger
        )
        let mysql = MariaDBConnectionPool(
            configuration: try MariaDBConfiguration(url: try required("HOTSTOCK_MYSQL_URL")),
            logger: logger
        )
        let mysqlAdmin = MariaDBConnectionPool(
            configuration: try MariaDBConfiguration(url: try required("HOTSTOCK_MYSQL_ADMIN_URL")),
            logger: logger
        )
        let inventory = Inventory(redis: redis, configuration: InventoryConfiguration(), logger: logger)
        try await inventory.prepare()
        try await Self.compactAOF(redisAdmin)
        try await ColdStore(pool: mysqlAdmin, logger: logger).migrate()
        await mysqlAdmin.shutdown()
        let cold = ColdStore(pool: mysql, logger: logger)

        let scenario = faultScenario()
        let runID = UUID().uuidString.prefix(6).lowercased()
        let skus = (0..<scenario.skus).map { "faults-\(runID)-\($0)" }
        var update = SKUUpdate(total: scenario.unitsPerSKU)
        update.maxQty = .set(scenario.maxUnitsPerHold)
        update.buckets = buckets
        if let limit = scenario.perBuyerLimit { update.perBuyerLimit = .set(limit) }
        for sku in skus { _ = try await inventory.setSKU(sku, update) }

        // The processes under test; tokens made for this run only.
        let binary = hotstock.map { URL(fileURLWithPath: $0) } ?? Self.siblingBinary
        var childEnvironment = environment
        if let waitReplicas { childEnvironment["HOTSTOCK_WAIT_REPLICAS"] = String(waitReplicas) }
        childEnvironment["HOTSTOCK_API_TOKEN"] = Self.randomToken()
        childEnvironment["HOTSTOCK_ADMIN_TOKEN"] = Self.randomToken()
        // Orders a killed server left between two steps are taken over after 3 s.
        childEnvironment["HOTSTOCK_ORDER_RECOVERY_MS"] = "3000"
        func child(_ name: String, _ arguments: [String]) -> HotStockProcess {
            HotStockProcess(
                name: name,
                binary: binary,
                arguments: arguments,
                environment: childEnvironment,
                log: folder.appending(path: "\(name).log")
            )
        }
        let serve = child(
            "serve",
            ["serve", "--port", String(port), "--no-syncer", "--no-sweeper", "--rate-per-buyer", "1000"]
        )
        // A stable consumer name, as a supervised deployment gives it: a restarted syncer
        // resumes its own pending entries at once instead of waiting to claim them.
        let syncer = child("sync", ["sync", "--consumer", "fault-syncer"])
        let sweeper = child("sweep", ["sweep"])
        let processes = Processes(serve: serve, syncer: syncer, sweeper: sweeper)
        let cluster = try clusterDir.map { folder in
            guard let clusterScript else { throw ScenarioError("--cluster-dir needs --cluster-script") }
            return ClusterControl(
                folder: folder,
                script: clusterScript,
                admin: redisAdmin,
                adminConfiguration: redisAdmin.configuration
            )
        }
        guard cluster != nil || (redisPidFile != nil && redisRestart != nil) else {
            throw ScenarioError("give --redis-pid-file and --redis-restart, or --cluster-dir and --cluster-script")
        }
        let daemons = Daemons(
            redis: redisPidFile.map { DaemonControl(name: "redis", pidFile: $0, restartCommand: redisRestart) },
            cluster: cluster,
            mariadb: DaemonControl(name: "mariadb", pidFile: mariadbPidFile)
        )

        let http = HTTPDriver.make(
            baseURL: "http://127.0.0.1:\(port)",
            token: childEnvironment["HOTSTOCK_API_TOKEN"] ?? "",
            connections: concurrency
        )
        let attempts = AttemptLog()
        let recorder = Recorder()
        let ledger = Ledger()
        let stop = StopFlag()
        let injector = FaultInjector(
            processes: processes,
            daemons: daemons,
            redisAdmin: redisAdmin,
            http: http,
            attempts: attempts,
            mariadbPause: .milliseconds(Int64((mariadbPauseS ?? (small ? 3 : 20)) * 1000))
        )
        var report = FaultReport()
        do {
            try processes.startAll()
            try await injector.waitUntilServing()
            let runner = ScenarioRunner(
                scenario: scenario,
                driver: RetryingDriver(inner: http, attempts: attempts),
                skuIDs: skus,
                recorder: recorder,
                ledger: ledger,
                shouldStop: { stop.isSet }
            )
            let plan = faultPlan().ordered(seed: seed)
            let gap = gapS ?? (small ? 1.5 : 3)
            let faults = try await withThrowingTaskGroup(of: Void.self, returning: [FaultReport.Fault].self) { group in
                group.addTask { await runner.run {} }
                defer { stop.set() }
                var random = SeededRandom(seed: seed)
                var faults: [FaultReport.Fault] = []
                for kind in plan {
                    try await Task.sleep(
                        for: .milliseconds(Int64(gap * Double.random(in: 0.5...1.5, using: &random) * 1000))
                    )
                    let fault = try await injector.inject(kind, random: &random)
                    FileHandle.standardError.write(
                        Data(
                            "[faults] \(String(format: "%6.1f", fault.atS)) s  \(kind.rawValue): \(fault.detail)\n".utf8
                        )
                    )
                    faults.append(fault)
                }
                // Plain load after the last fault, then the buyers in flight finish.
                try await Task.sleep(for: .milliseconds(Int64(gap * 1000)))
                stop.set()
                try await group.waitForAll()
                return faults
            }
            report.loadSeconds = attempts.elapsed
            let findings = try await InvariantChecker(
                inventory: inventory,
                cold: cold,
                scenario: scenario,
                skus: skus,
                ledger: ledger
            ).check(loadEnded: .now)
            report.violations += findings.violations
            report.unitsOversold = findings.unitsOversold
            report.acknowledgedLost = findings.acknowledgedLost
            report.ordersChecked = findings.ordersChecked
            report.partialOrders = findings.partialOrders
            report.mysqlCatchUpMs = findings.mysqlCatchUpMs
            for sku in skus { report.unitsSold += try await inventory.sku(sku).sold }
            report.versionRegressions = try await cold.versionRegressions(skus: skus)
            // What an operator's `hotstock reconcile` would report now (no fix).
            let reconciled = try await Reconciler(inventory: inventory, cold: cold, logger: logger)
                .reconcile(fix: false, only: Set(skus))
            report.reconcileCompared = reconciled.compared
            report.reconcileDrifted = reconciled.driftedRecords
            report.violations += try await processes.stopAll()
            report.violations += try Self.secretLeaks(
                in: ["serve", "sync", "sweep"].map { folder.appending(path: "\($0).log") },
                secrets: Self.secrets(of: childEnvironment)
            )
            report.faults = faults.map { fault in
                var fault = fault
                let window = attempts.window(from: fault.atS, to: fault.atS + Double(fault.outageMs) / 1000 + 1)
                fault.attempts = window.attempts
                fault.failedAttempts = window.failed
                fault.errorRate = window.attempts == 0 ? 0 : Double(window.failed) / Double(window.attempts)
                return fault
            }
        } catch {
            // Never leave MariaDB frozen, a child behind or a client open.
            FileHandle.standardError.write(Data("[faults] the run failed: \(error)\n".utf8))
            try? daemons.mariadb.signal(SIGCONT)
            _ = try? await processes.stopAll()
            await http.shutdown()
            await redis.shutdown()
            await redisAdmin.shutdown()
            await mysql.shutdown()
            throw error
        }
        let total = attempts.total
        report.attempts = total.attempts
        report.failedAttempts = total.failed
        report.failedOutsideOutages = attempts.failed(
            outside: report.faults.map { ($0.atS, $0.atS + Double($0.outageMs) / 1000 + 1) }
        )
        report.operations = recorder.snapshot.outcomes
        report.operationCount = report.operations.values.flatMap(\.values).reduce(0, +)
        for fault in report.faults { report.faultsByKind[fault.kind.rawValue, default: 0] += 1 }
        if report.unitsOversold > 0 { report.violations.append("\(report.unitsOversold) units oversold") }
        try report.write(to: folder)
        print(report.text)
        print("report: \(folder.path)/report.json; process logs: \(folder.path)/{serve,sync,sweep}.log")

        await http.shutdown()
        await redis.shutdown()
        await redisAdmin.shutdown()
        await mysql.shutdown()
        if !report.passed { throw ExitCode(1) }
    }

    /// A flash sale that never sells out during the run: holds keep changing state, so
    /// every fault lands on real work. Abandoned holds expire within seconds.
    private func faultScenario() -> Scenario {
        var scenario = Scenario()
        scenario.name = "faults"
        scenario.skus = 4
        scenario.unitsPerSKU = units ?? 1_000_000
        scenario.buyers = 100_000_000
        scenario.concurrency = concurrency
        scenario.maxUnitsPerHold = 2
        scenario.payShare = 0.5
        scenario.cancelShare = 0.2
        scenario.holdTTLMs = 120_000
        scenario.abandonTTLMs = 2_000
        scenario.seed = seed
        scenario.perBuyerLimit = perBuyerLimit
        if carts {
            scenario.kind = "cart"
            scenario.skus = 12
            scenario.minLines = 1
            scenario.maxLines = 5
        }
        return scenario
    }

    private func faultPlan() -> FaultPlan {
        let others = small ? 1 : 3
        let onCluster = clusterDir != nil
        return FaultPlan(counts: [
            .redisKill: onCluster ? 0 : redisKills ?? (small ? 3 : 12),
            .primaryKill: onCluster ? primaryKills ?? (small ? 2 : 4) : 0,
            .reshard: onCluster ? reshards ?? (small ? 1 : 2) : 0,
            .addPrimary: onCluster ? primaryAdds ?? (small ? 0 : 1) : 0,
            .lossyFailover: onCluster ? lossyFailovers ?? 0 : 0,
            .syncerKill: others,
            .sweeperKill: others,
            .mariadbPause: small ? 1 : 2,
            .functionFlush: others,
            .serveRestart: others,
            .serveKill: others,
        ])
    }

    /// The tokens and the passwords of the URLs a child process was given.
    static func secrets(of environment: [String: String]) -> [String] {
        var secrets = [environment["HOTSTOCK_API_TOKEN"], environment["HOTSTOCK_ADMIN_TOKEN"]].compactMap { $0 }
        // The code key's material (after its id).
        if let key = environment["HOTSTOCK_CODE_KEY"]?.split(separator: ":", maxSplits: 1).last, key.count > 8 {
            secrets.append(String(key))
        }
        for (name, value) in environment where name.hasPrefix("HOTSTOCK_") && name.hasSuffix("_URL") {
            if let password = URLComponents(string: value)?.password, !password.isEmpty { secrets.append(password) }
        }
        return secrets
    }

    /// One violation per log file that holds a secret (never the secret itself).
    static func secretLeaks(in logs: [URL], secrets: [String]) throws -> [String] {
        try logs.compactMap { log in
            let text = try String(contentsOf: log, encoding: .utf8)
            let leaked = secrets.filter { text.contains($0) }.count
            return leaked == 0 ? nil : "\(log.lastPathComponent) holds \(leaked) secret(s) in clear"
        }
    }

    /// Rewrites Redis's AOF before the sale, as the runbook advises: a restart replays
    /// the whole file, so its size, not the sale, would set the outage otherwise.
    static func compactAOF(_ admin: RedisConnectionPool) async throws {
        _ = try? await admin.send("BGREWRITEAOF")
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let info = try await admin.send("INFO", "persistence").string ?? ""
            if info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0") { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ScenarioError("the AOF rewrite did not finish within 120 s")
    }

    static var siblingBinary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "hotstock")
    }

    static func randomToken() -> String {
        (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}
