import Foundation
import HotStockCore
import Hummingbird
import HummingbirdTesting
import MariaDBClient
import RedisClient
import ServiceLifecycle
import Synchronization
import Testing

@Suite("The live server")
struct LiveServerTests {
    /// Outcomes by status code, shared by the client tasks.
    final class Tally: Sendable {
        let counts = Mutex<[String: Int]>([:])
        func add(_ key: String) { counts.withLock { $0[key, default: 0] += 1 } }
    }

    @Test func flashSaleOf2000ConcurrentHoldsOn100UnitsSellsExactly100() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("flash")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 100))
        let tally = Tally()
        try await TestServer.application(inventory).test(.live) { client in
            let port = try #require(client.port)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in 0..<50 {
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port) { http in
                            for index in 0..<40 {
                                let response = try await http.hold("/v1/skus/\(sku)/holds/c\(connection)-\(index)")
                                tally.add("\(response.status) \(response.code ?? "")")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(tally.counts.withLock { $0 } == ["201 ": 100, "409 sold_out": 1_900])
        let snapshot = try await inventory.sku(sku)
        #expect(snapshot.isBalanced && snapshot.held == 100 && snapshot.available == 0)
    }

    @Test func inProcessSweeperAndSyncerExpireHoldsAndFillMySQL() async throws {
        let inventory = try await TestServer.inventory(namespace: "d13")
        let mysqlURL =
            ProcessInfo.processInfo.environment["HOTSTOCK_MYSQL_URL"]
            ?? "mysql://hotstock:hotstock-dev@127.0.0.1:13307/hotstock"
        let pool = MariaDBConnectionPool(
            configuration: try MariaDBConfiguration(url: mysqlURL),
            logger: TestServer.logger
        )
        let cold = ColdStore(pool: pool, logger: TestServer.logger)
        let adminURL =
            ProcessInfo.processInfo.environment["HOTSTOCK_MYSQL_ADMIN_URL"]
            ?? "mysql://hotstock_admin:hotstock-dev@127.0.0.1:13307/hotstock"
        let admin = MariaDBConnectionPool(
            configuration: try MariaDBConfiguration(url: adminURL),
            logger: TestServer.logger
        )
        try await ColdStore(pool: admin, logger: TestServer.logger).migrate()
        await admin.shutdown()
        let sku = TestServer.uniqueSKU("services")
        // The sweeper and the syncer the binary runs in-process.
        try await TestServer.application(inventory, cold: cold, runsSweeper: true).test(.live) { client in
            _ = try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 5}"#)
            _ = try await client.call(.put, "/v1/skus/\(sku)/holds/paid", body: #"{"qty": 2}"#)
            #expect(try await client.call(.post, "/v1/skus/\(sku)/holds/paid/confirm").status == .ok)
            _ = try await client.call(.put, "/v1/skus/\(sku)/holds/abandoned", body: #"{"qty": 3, "ttl_ms": 1000}"#)

            var expired = false
            var synced = false
            for _ in 0..<40 where !(expired && synced) {
                try await Task.sleep(for: .milliseconds(100))
                let hold = try await client.call(.get, "/v1/skus/\(sku)/holds/abandoned")
                expired = json(hold)["state"] as? String == "expired"
                let rows = try await cold.allHolds(sku: sku)
                synced =
                    rows.first { $0.order == "paid" }?.state == .confirmed
                    && rows.first { $0.order == "abandoned" }?.state == .expired
            }
            #expect(expired, "the in-process sweeper did not expire the hold")
            #expect(synced, "the in-process syncer did not bring MySQL up to date")
        }
        let hot = try await inventory.sku(sku)
        #expect(hot.isBalanced && hot.sold == 2 && hot.available == 3)
        #expect(try await cold.sku(sku)?.sku == hot)
        await pool.shutdown()
    }
}
