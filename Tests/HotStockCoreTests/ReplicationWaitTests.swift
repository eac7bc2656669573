import HotStockCore
import RedisClient
import Testing

/// `--wait-replicas N` (DESIGN section 11): a change is acknowledged only once N
/// replicas took it; otherwise `unavailable`, and the client retries the same request.
@Suite("Waiting for replicas")
struct ReplicationWaitTests {
    private func inventory(waitReplicas: Int) async throws -> Inventory {
        var configuration = InventoryConfiguration(retryBudget: .seconds(2), codeSealer: TestEngine.codeSealer)
        configuration.waitReplicas = waitReplicas
        configuration.replicaTimeout = .milliseconds(200)
        let inventory = Inventory(redis: try TestEngine.pool(), configuration: configuration, logger: TestEngine.logger)
        try await inventory.prepare()
        return inventory
    }

    @Test func aChangeFewerReplicasTookIsUnavailableAndItsRetryAnswersTheSame() async throws {
        let plain = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("wait")
        _ = try await plain.setSKU(sku, SKUUpdate(total: 5))
        // One replica more than any primary has (none on a single Redis, one on the local cluster).
        let replicas = plain.redis.isCluster == true ? 2 : 1
        let waiting = try await inventory(waitReplicas: replicas)
        await #expect(throws: InventoryError.self) {
            do {
                _ = try await waiting.placeHold(sku: sku, order: "o1", qty: 2)
            } catch let error as InventoryError {
                #expect(error.code == .unavailable && error.retryAfterSeconds == 1)
                throw error
            }
        }
        // The change did happen: the same request again finds it, nothing taken twice.
        let again = try await plain.placeHold(sku: sku, order: "o1", qty: 2)
        #expect(!again.created && again.hold.qty == 2)
        let stock = try await expectBalanced(plain, sku)
        #expect(stock.held == 2 && stock.available == 3)
    }

    @Test(.enabled(if: TestEngine.redisURL.contains(",")))
    func onTheClusterEachChangeWaitsForItsReplica() async throws {
        let waiting = try await inventory(waitReplicas: 1)
        let skus = (0..<12).map { TestEngine.uniqueSKU("wait\($0)") }
        for sku in skus {
            _ = try await waiting.setSKU(sku, SKUUpdate(total: 3))
            let placed = try await waiting.placeHold(sku: sku, order: "o1", qty: 1)
            #expect(placed.created)
            _ = try await waiting.confirm(sku: sku, order: "o1")
            let stock = try await expectBalanced(waiting, sku)
            #expect(stock.sold == 1 && stock.available == 2)
        }
    }

    @Test func theSyncerCopiesOnlyWhatTheReplicasHave() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d16")
        let cold = try await TestCold.store()
        let sku = TestEngine.uniqueSKU("syncwait")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 4))
        _ = try await inventory.placeHold(sku: sku, order: "o1")
        func syncer(waitReplicas: Int) -> Syncer {
            var configuration = SyncerConfiguration(consumer: "wait-test")
            configuration.waitReplicas = waitReplicas
            return Syncer(
                redis: inventory.redis,
                keys: inventory.keys,
                cold: cold,
                configuration: configuration,
                logger: TestEngine.logger
            )
        }
        if inventory.redis.isCluster == true {
            _ = try await syncer(waitReplicas: 1).syncOnce()
        } else {
            // No replica: the new entries are read, not copied; read again from the pending
            // list, they are still not copied.
            for _ in 0..<2 {
                await #expect(throws: RedisError.self) { _ = try await syncer(waitReplicas: 1).syncOnce() }
            }
            #expect(try await cold.sku(sku) == nil)
            _ = try await syncer(waitReplicas: 0).syncOnce()
        }
        let copied = try await cold.sku(sku)
        #expect(copied?.sku.held == 1 && copied?.sku.available == 3)
    }
}
