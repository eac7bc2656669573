import Foundation
import HotStockCore
import Logging
import RedisClient
import Testing

/// The Redis the test run started (ops/dev.sh test exports its URLs), and engines on it.
enum TestEngine {
    static var redisURL: String {
        ProcessInfo.processInfo.environment["HOTSTOCK_REDIS_URL"]
            ?? "redis://hotstock:hotstock-dev@127.0.0.1:16380/0"
    }

    static var adminURL: String {
        ProcessInfo.processInfo.environment["HOTSTOCK_REDIS_ADMIN_URL"]
            ?? "redis://admin:hotstock-admin-dev@127.0.0.1:16380/0"
    }

    static let logger = Logger(label: "hotstock.tests")

    /// The code key of the run (`HOTSTOCK_CODE_KEY`, as ops/dev.sh exports it), or a key
    /// of the tests' own.
    static let codeSealer: CodeSealer = {
        let fallback = "tk:" + Data((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).base64EncodedString()
        let text: String = ProcessInfo.processInfo.environment["HOTSTOCK_CODE_KEY"] ?? fallback
        guard let ring = try? CodeKeyRing(current: text) else { preconditionFailure("HOTSTOCK_CODE_KEY is malformed") }
        return CodeSealer(ring: ring)
    }()

    /// A pool as the engine's user, on `database` (tests that sweep use a database of
    /// their own so that other tests' holds do not mix with theirs).
    static func pool(database: Int = 0, size: Int = 4) throws -> RedisConnectionPool {
        var configuration = try RedisConfiguration(url: redisURL)
        configuration.database = database
        configuration.poolSize = size
        return RedisConnectionPool(configuration: configuration, logger: logger)
    }

    /// A pool as the operator (`default` user), for what the engine may not do.
    static func adminPool(database: Int = 0) throws -> RedisConnectionPool {
        var configuration = try RedisConfiguration(url: adminURL)
        configuration.database = database
        return RedisConnectionPool(configuration: configuration, logger: logger)
    }

    /// An engine with its scripts loaded.
    static func inventory(
        database: Int = 0,
        poolSize: Int = 4,
        retentionMs: Int64 = 86_400_000
    ) async throws -> Inventory {
        let inventory = Inventory(
            redis: try pool(database: database, size: poolSize),
            configuration: InventoryConfiguration(retentionMs: retentionMs, codeSealer: codeSealer),
            logger: logger
        )
        try await inventory.prepare()
        return inventory
    }

    /// A SKU id no other test uses.
    static func uniqueSKU(_ name: String = "sku") -> String {
        "\(name)-\(UUID().uuidString.prefix(13))"
    }
}

/// Checks the stock invariant of DESIGN section 2 and returns the snapshot.
@discardableResult
func expectBalanced(
    _ inventory: Inventory,
    _ sku: String,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> SKU {
    let snapshot = try await inventory.sku(sku)
    #expect(
        snapshot.isBalanced,
        "available \(snapshot.available) + held \(snapshot.held) + sold \(snapshot.sold) != total \(snapshot.total)",
        sourceLocation: sourceLocation
    )
    return snapshot
}

/// Runs `body` and returns the contract code it was refused with, or `nil` on success.
func refusalCode(_ body: () async throws -> Void) async throws -> InventoryError.Code? {
    do {
        try await body()
        return nil
    } catch let error as InventoryError {
        return error.code
    }
}
