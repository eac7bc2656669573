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

    /// A pool as the engine's user.
    static func pool(size: Int = 4) throws -> RedisConnectionPool {
        var configuration = try RedisConfiguration(url: redisURL)
        configuration.poolSize = size
        return RedisConnectionPool(configuration: configuration, logger: logger)
    }

    /// A pool as the operator (`admin` user), for what the engine may not do.
    static func adminPool() throws -> RedisConnectionPool {
        RedisConnectionPool(configuration: try RedisConfiguration(url: adminURL), logger: logger)
    }

    /// An engine with its scripts loaded. Tests that sweep, sync or wipe use a
    /// `namespace` of their own (`hs:<namespace>:{p}:...`), so that other tests' holds
    /// and events do not mix with theirs, on a single Redis and on a cluster alike.
    static func inventory(
        namespace: String? = nil,
        poolSize: Int = 4,
        retentionMs: Int64 = 86_400_000,
        orderRecoveryAfterMs: Int64 = 10_000
    ) async throws -> Inventory {
        var configuration = InventoryConfiguration(
            keySpace: KeySpace(namespace: namespace),
            retentionMs: retentionMs,
            codeSealer: codeSealer
        )
        configuration.orderRecoveryAfterMs = orderRecoveryAfterMs
        let inventory = Inventory(redis: try pool(size: poolSize), configuration: configuration, logger: logger)
        try await inventory.prepare()
        return inventory
    }

    /// Deletes every key of the inventory's namespace (its `SCAN` walks every primary):
    /// Redis losing the data set (what `FLUSHDB` did when the tests used databases of
    /// their own).
    static func wipe(_ inventory: Inventory) async throws {
        precondition(inventory.keys.namespace != nil, "wipe only a namespace of a test's own")
        let root = inventory.keys.prefix(partition: 0).prefix { $0 != "{" }
        for key in try await inventory.scan(match: root + "*") {
            _ = try await inventory.redis.send(.del([key]))
        }
    }

    /// A SKU id no other test uses.
    static func uniqueSKU(_ name: String = "sku") -> String {
        "\(name)-\(UUID().uuidString.prefix(13))"
    }
}

/// Makes one counted SKU of each total (the lines of an order's tests).
func makeSKUs(_ inventory: Inventory, _ totals: [Int64]) async throws -> [String] {
    var made: [String] = []
    for total in totals {
        let sku = TestEngine.uniqueSKU("line")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: total))
        made.append(sku)
    }
    return made
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
