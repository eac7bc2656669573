import Foundation
import HotStockCore
import MariaDBClient
import Testing

/// The MariaDB the test run started (ops/dev.sh test exports its URL).
enum TestCold {
    static var mysqlURL: String {
        ProcessInfo.processInfo.environment["HOTSTOCK_MYSQL_URL"]
            ?? "mysql://hotstock:hotstock-dev@127.0.0.1:13307/hotstock"
    }

    /// The administrator (migrations, planting drift): ops/mariadb/users.sql.
    static var adminURL: String {
        ProcessInfo.processInfo.environment["HOTSTOCK_MYSQL_ADMIN_URL"]
            ?? "mysql://hotstock_admin:hotstock-dev@127.0.0.1:13307/hotstock"
    }

    /// The read-only user.
    static var readOnlyURL: String {
        ProcessInfo.processInfo.environment["HOTSTOCK_MYSQL_RO_URL"]
            ?? "mysql://hotstock_ro:hotstock-dev@127.0.0.1:13307/hotstock"
    }

    /// A store on `url` (no migration).
    static func plainStore(url: String, ioTimeoutSeconds: UInt32 = 30) throws -> ColdStore {
        var configuration = try MariaDBConfiguration(url: url)
        configuration.ioTimeoutSeconds = ioTimeoutSeconds
        configuration.connectTimeoutSeconds = 2
        return ColdStore(
            pool: MariaDBConnectionPool(configuration: configuration, logger: TestEngine.logger),
            logger: TestEngine.logger
        )
    }

    /// A cold store as `url`'s user, with the schema migrated by the administrator (for a
    /// scratch server whose only user may do everything, by `url` itself).
    static func store(url: String = mysqlURL, ioTimeoutSeconds: UInt32 = 30) async throws -> ColdStore {
        let admin = try plainStore(url: url == mysqlURL ? adminURL : url)
        try await admin.migrate()
        await admin.pool.shutdown()
        return try plainStore(url: url, ioTimeoutSeconds: ioTimeoutSeconds)
    }
}

/// Checks that MySQL holds exactly what Redis holds for `skus`: counters, config,
/// versions, and every hold Redis has.
func expectColdEqualsHot(
    _ inventory: Inventory,
    _ cold: ColdStore,
    skus: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    for sku in skus {
        let hot = try await inventory.sku(sku)
        let stored = try await cold.sku(sku)?.sku
        #expect(
            stored == hot,
            "SKU \(sku): MySQL \(String(describing: stored)) != Redis \(hot)",
            sourceLocation: sourceLocation
        )
        let rows = Dictionary(uniqueKeysWithValues: try await cold.allHolds(sku: sku).map { ($0.order, $0) })
        let prefix = inventory.keys.prefix(of: sku) + "hold:\(sku)/"
        let orders = try await inventory.scan(match: prefix + "*").map { String($0.dropFirst(prefix.count)) }
        #expect(
            rows.count == orders.count,
            "SKU \(sku): MySQL has \(rows.count) holds, Redis \(orders.count)",
            sourceLocation: sourceLocation
        )
        for order in orders {
            let hold = try await inventory.hold(sku: sku, order: order)
            #expect(rows[order] == hold, "hold \(sku)/\(order) differs", sourceLocation: sourceLocation)
        }
    }
}

/// Places, confirms, releases and lets expire holds at random on `skus`; returns when
/// every short hold has run out (not swept: the sweeper or a later call expires them).
func randomTraffic(_ inventory: Inventory, skus: [String], steps: Int = 120, seedOrder: String = "o") async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<6 {
            group.addTask {
                var mine: [(String, String)] = []
                for step in 0..<steps / 6 {
                    let sku = skus[(worker + step) % skus.count]
                    switch Int.random(in: 0..<6) {
                    case 0, 1, 2:
                        let order = "\(seedOrder)\(worker)-\(step)"
                        let ttl: Int64 = Bool.random() ? 1_000 : 60_000
                        if (try? await inventory.placeHold(
                            sku: sku,
                            order: order,
                            qty: Int64.random(in: 1...2),
                            buyer: "b\(step % 4)",
                            ttlMs: ttl
                        )) != nil {
                            mine.append((sku, order))
                        }
                    case 3, 4:
                        if let (sku, order) = mine.randomElement() {
                            _ = try? await inventory.confirm(sku: sku, order: order)
                        }
                    default:
                        if let (sku, order) = mine.randomElement() {
                            _ = try? await inventory.release(sku: sku, order: order)
                        }
                    }
                }
            }
        }
        try await group.waitForAll()
    }
}
