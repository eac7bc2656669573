import ArgumentParser
import Foundation
import HotStockCore
import Logging
import RedisClient

/// `loadtest codes-bench`: the figures of code pools — codes loaded per second, confirms
/// per second with code assignment next to plain confirms, and Redis bytes per pooled
/// code — with the pool invariant checked afterwards.
struct CodesBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codes-bench",
        abstract: "Measure code pools: load rate, confirm-with-codes rate next to plain confirms, bytes per code."
    )

    @Option(help: "Codes loaded (in batches of 10,000).") var codes = 100_000
    @Option(help: "Holds confirmed on each SKU.") var confirms = 20_000
    @Option(help: "Concurrent tasks confirming.") var concurrency = 256

    func validate() throws {
        guard codes >= confirms, confirms > 0, concurrency > 0 else {
            throw ValidationError("codes must be at least confirms; both and concurrency positive")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var logger = Logger(label: "hotstock.codes-bench")
        logger.logLevel = .warning
        guard let ring = try CodeKeyRing.fromEnvironment(environment) else {
            throw ScenarioError("HOTSTOCK_CODE_KEY is not set (ops/dev.sh env)")
        }
        var configuration = try RedisConfiguration(url: environment["HOTSTOCK_REDIS_URL"] ?? "redis://127.0.0.1:6379/0")
        configuration.poolSize = 4
        let pool = RedisConnectionPool(configuration: configuration, logger: logger)
        let inventory = Inventory(
            redis: pool,
            configuration: InventoryConfiguration(codeSealer: CodeSealer(ring: ring)),
            logger: logger
        )
        try await inventory.prepare()
        let admin = try environment["HOTSTOCK_REDIS_ADMIN_URL"].map {
            RedisConnectionPool(configuration: try RedisConfiguration(url: $0), logger: logger)
        }
        let run = UUID().uuidString.prefix(6).lowercased()

        // Loading: batches of 10,000 sealed, fingerprinted and pooled.
        let codesSKU = "cb-\(run)"
        _ = try await inventory.setSKU(codesSKU, SKUUpdate(kind: .codes))
        let memoryBefore = try await RedisInfo.usedMemory(admin ?? pool)
        let streams = inventory.keys.outboxKeys(partition: inventory.keys.partition(of: codesSKU))
        let streamBefore = try await streamMemory(admin ?? pool, streams)
        let loadStarted = ContinuousClock.now
        for first in stride(from: 0, to: codes, by: InventoryLimits.maxCodesPerBatch) {
            let batch = (first..<min(first + InventoryLimits.maxCodesPerBatch, codes)).map { "BENCH-CODE-\(run)-\($0)" }
            _ = try await inventory.loadCodes(sku: codesSKU, batch: "b\(first)", codes: batch)
        }
        let loadSeconds = seconds(since: loadStarted)
        let pooledBytes =
            try await RedisInfo.usedMemory(admin ?? pool) - memoryBefore
            - (try await streamMemory(admin ?? pool, streams) - streamBefore)
        print(
            String(
                format: "codes_loaded_per_s %.0f  (%d codes of about 24 characters, batches of 10000)",
                Double(codes) / loadSeconds,
                codes
            )
        )
        print(
            String(
                format: "redis_bytes_per_pooled_code %.0f  (pool list + fingerprint set, outbox excluded)",
                Double(pooledBytes) / Double(codes)
            )
        )

        // Confirms: the same number of one-unit holds on each SKU, then confirmed at once.
        let countedSKU = "cbc-\(run)"
        _ = try await inventory.setSKU(countedSKU, SKUUpdate(total: Int64(confirms)))
        let withCodes = try await confirmRate(inventory, sku: codesSKU)
        let plain = try await confirmRate(inventory, sku: countedSKU)
        print(
            String(
                format: "confirms_with_codes_per_s %.0f  (%d confirms, concurrency %d)",
                withCodes,
                confirms,
                concurrency
            )
        )
        print(String(format: "plain_confirms_per_s %.0f  (same run, counted SKU)", plain))
        print(String(format: "codes_vs_plain_confirm %.2f", withCodes / plain))

        // The pool invariant, and a sample of deliveries: distinct codes.
        let snapshot = try await inventory.sku(codesSKU)
        let poolSize = try await inventory.poolSize(sku: codesSKU)
        var delivered: Set<String> = []
        for index in stride(from: 0, to: confirms, by: max(1, confirms / 500)) {
            delivered.formUnion(try await inventory.deliverCodes(sku: codesSKU, order: "o\(index)").codes)
        }
        let sampled = (0..<confirms).filter { $0 % max(1, confirms / 500) == 0 }.count
        guard snapshot.isBalanced, poolSize == snapshot.available + snapshot.held, snapshot.sold == Int64(confirms),
            delivered.count == sampled
        else {
            throw ScenarioError(
                "code pool invariant broken: \(snapshot), pool \(poolSize), \(delivered.count) of \(sampled)"
            )
        }
        print("checks: pool == available + held, sold == confirms, \(sampled) sampled deliveries distinct")
        await admin?.shutdown()
        await pool.shutdown()
    }

    private func confirmRate(_ inventory: Inventory, sku: String) async throws -> Double {
        try await inParallel(confirms) { index in _ = try await inventory.placeHold(sku: sku, order: "o\(index)") }
        let started = ContinuousClock.now
        try await inParallel(confirms) { index in _ = try await inventory.confirm(sku: sku, order: "o\(index)") }
        return Double(confirms) / seconds(since: started)
    }

    private func inParallel(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let workers = concurrency
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    for index in stride(from: worker, to: count, by: workers) { try await body(index) }
                }
            }
            try await group.waitForAll()
        }
    }

    /// The bytes of the outbox streams `keys`.
    private func streamMemory(_ redis: RedisConnectionPool, _ keys: [String]) async throws -> Int64 {
        var bytes: Int64 = 0
        for key in keys { bytes += (try? await redis.send(.memoryUsage(key)).int) ?? 0 }
        return bytes
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start).inSeconds
    }
}
