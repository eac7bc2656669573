import ArgumentParser
import Foundation
import HotStockCore
import Logging
import MariaDBClient
import RedisClient

/// `loadtest warm-bench`: how long the longest single Redis call takes while a large
/// codes SKU is loaded, synced to MySQL and warmed back after Redis lost it (Redis's
/// SLOWLOG records every call's duration), and the sum of the staging calls — what
/// one call carrying the whole pool would block Redis for.
struct WarmBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warm-bench",
        abstract: "Load, sync and warm back a codes SKU of many codes; report the longest Redis call of each step."
    )

    @Option(help: "Codes in the SKU (loaded in batches of 10,000).") var codes = 1_000_000
    @Option(help: "Orders of one code confirmed before the sync (restored holds with codes).") var orders = 1_000

    func validate() throws {
        guard codes > orders, orders >= 0 else { throw ValidationError("codes must exceed orders") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var logger = Logger(label: "hotstock.warm-bench")
        logger.logLevel = .warning
        guard let ring = try CodeKeyRing.fromEnvironment(environment),
            let adminURL = environment["HOTSTOCK_REDIS_ADMIN_URL"], let mysqlURL = environment["HOTSTOCK_MYSQL_URL"]
        else {
            throw ScenarioError(
                "HOTSTOCK_CODE_KEY, HOTSTOCK_REDIS_ADMIN_URL and HOTSTOCK_MYSQL_URL are needed (ops/dev.sh env)"
            )
        }
        var configuration = try RedisConfiguration(url: environment["HOTSTOCK_REDIS_URL"] ?? "redis://127.0.0.1:6379/0")
        configuration.poolSize = 4
        let engine = HotStockEngine(
            redis: configuration,
            mysql: try MariaDBConfiguration(url: mysqlURL),
            configuration: InventoryConfiguration(codeSealer: CodeSealer(ring: ring)),
            logger: logger
        )
        let admin = RedisConnectionPool(configuration: try RedisConfiguration(url: adminURL), logger: logger)
        let slowlog = SlowLog(admin: admin)
        try await engine.run { engine in
            let inventory = engine.inventory
            guard let cold = engine.cold else { return }
            try await inventory.prepare()
            let sku = "wb-\(UUID().uuidString.prefix(6).lowercased())"
            _ = try await inventory.setSKU(sku, SKUUpdate(kind: .codes))

            try await slowlog.start()
            for first in stride(from: 0, to: codes, by: InventoryLimits.maxCodesPerBatch) {
                let batch = (first..<min(first + InventoryLimits.maxCodesPerBatch, codes)).map { "WB-\(sku)-\($0)" }
                _ = try await inventory.loadCodes(sku: sku, batch: "b\(first)", codes: batch)
            }
            for order in 0..<orders {
                _ = try await inventory.placeHold(sku: sku, order: "o\(order)")
                _ = try await inventory.confirm(sku: sku, order: "o\(order)")
            }
            print(try await slowlog.report("load"))

            try await slowlog.start()
            let syncStarted = ContinuousClock.now
            try await Syncer(redis: engine.redis, keys: inventory.keys, cold: cold, logger: logger).syncOnce()
            print(String(format: "sync_seconds %.1f", seconds(since: syncStarted)))
            print(try await slowlog.report("sync"))

            // Redis loses the SKU; warm brings it back from MySQL.
            let keys = inventory.keys
            _ = try await admin.send("DEL", keys.skuKey(sku), keys.poolKey(sku), keys.fingerprintsKey(sku))
            for order in 0..<orders { _ = try await admin.send("DEL", keys.holdKey(sku: sku, order: "o\(order)")) }
            try await slowlog.start()
            let warmStarted = ContinuousClock.now
            _ = try await Warmer(inventory: inventory, cold: cold, logger: logger).warm(sku: sku)
            print(String(format: "warm_seconds %.1f", seconds(since: warmStarted)))
            print(try await slowlog.report("warm"))

            let after = try await inventory.sku(sku)
            let pool = try await inventory.poolSize(sku: sku)
            let fingerprints = try await admin.send("SCARD", keys.fingerprintsKey(sku)).int ?? 0
            guard after.isBalanced, pool == after.available + after.held, after.sold == Int64(orders),
                fingerprints == Int64(codes)
            else {
                throw ScenarioError("warm broke the pool: \(after), pool \(pool), fingerprints \(fingerprints)")
            }
            print("checks: pool == available + held, sold == \(orders), \(fingerprints) fingerprints back")
        }
        try await slowlog.restore()
        await admin.shutdown()
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start).inSeconds
    }
}

/// Redis's SLOWLOG set to record every call, read back as the longest call and the sum
/// of each command's calls.
struct SlowLog: Sendable {
    let admin: RedisConnectionPool
    private static let maxLength = "100000"

    func start() async throws {
        _ = try await admin.send("CONFIG", "SET", "slowlog-log-slower-than", "0")
        _ = try await admin.send("CONFIG", "SET", "slowlog-max-len", Self.maxLength)
        _ = try await admin.send("SLOWLOG", "RESET")
    }

    func restore() async throws {
        _ = try await admin.send("CONFIG", "SET", "slowlog-log-slower-than", "10000")
        _ = try await admin.send("CONFIG", "SET", "slowlog-max-len", "128")
    }

    /// `<step>_longest_call_ms X (COMMAND function)`, then the summed time per command.
    func report(_ step: String) async throws -> String {
        let entries = try await admin.send("SLOWLOG", "GET", Self.maxLength).array ?? []
        var longest: (micros: Int64, name: String) = (0, "-")
        var sums: [String: (micros: Int64, calls: Int)] = [:]
        for entry in entries {
            guard let parts = entry.array, parts.count >= 4, let micros = parts[2].int else { continue }
            let words = (parts[3].array ?? []).prefix(2).compactMap(\.string)
            let name = words.first?.uppercased() == "FCALL" ? words.joined(separator: " ") : words.first ?? "?"
            if micros > longest.micros { longest = (micros, name) }
            sums[name, default: (0, 0)].micros += micros
            sums[name, default: (0, 0)].calls += 1
        }
        func ms(_ micros: Int64) -> String { String(format: "%.1f", Double(micros) / 1000) }
        var lines = ["\(step)_longest_call_ms \(ms(longest.micros))  (\(longest.name))"]
        for (name, sum) in sums.sorted(by: { $0.value.micros > $1.value.micros }).prefix(3) {
            lines.append("  \(name): \(sum.calls) calls, \(ms(sum.micros)) ms in all")
        }
        return lines.joined(separator: "\n")
    }
}
