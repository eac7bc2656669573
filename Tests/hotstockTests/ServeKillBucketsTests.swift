import Foundation
import Logging
import RedisClient
import Synchronization
import Testing

@testable import HotStockCore

/// DESIGN section 12: a `serve` killed with SIGKILL while its holds refill dry buckets
/// leaves every unit accounted for — in a bucket, or in transit until recovery credits it.
@Suite("hotstock serve killed while buckets refill")
struct ServeKillBucketsTests {
    final class Progress: Sendable {
        let placed = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
    }

    @Test func killNineDuringTransfersLeavesTheSumsExact() async throws {
        let port = try freePort()
        let server = try ServeKillCodesTests.startServer(port: port)
        defer { if server.isRunning { server.terminate() } }
        let client = HTTPProbe(port: port, token: "sigterm-admin-token")
        #expect(try await ServeKillCodesTests.waitUntilUp(client), "the server did not start")
        let sku = CommandLineTests.uniqueSKU()
        #expect(try await client.send("PUT", "/v1/skus/\(sku)", body: #"{"total": 400, "buckets": 8}"#) == 200)

        // Every order routes to bucket 3: past its first 50 units, each hold refills it
        // from its siblings by transfers.
        let progress = Progress()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var step = 0
                    while !progress.stop.load(ordering: .relaxed) {
                        step += 1
                        let order = "w\(worker)-\(step)"
                        guard BucketRouting.record(sku: sku, order: order, buckets: 8) == "\(sku)#3" else { continue }
                        let status = try? await client.send(
                            "PUT",
                            "/v1/skus/\(sku)/holds/\(order)",
                            body: #"{"qty": 3}"#
                        )
                        if status == 201 { progress.placed.add(1, ordering: .relaxed) }
                        if status == 409 || status == nil { return }
                    }
                }
            }
            let started = ContinuousClock.now
            while progress.placed.load(ordering: .relaxed) < 60 && ContinuousClock.now - started < .seconds(30) {
                try await Task.sleep(for: .milliseconds(5))
            }
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
            progress.stop.store(true, ordering: .relaxed)
            try await group.waitForAll()
        }

        let (pool, inventory) = try ServeKillCodesTests.engine()
        let keys = inventory.keys
        let partitions = Set((0..<8).map { keys.partition(of: BucketID(sku: sku, index: $0).description) })

        // Before recovery: the buckets' totals plus the units taken out and not yet
        // credited are the SKU's 400.
        var total = try await inventory.buckets(of: sku).reduce(0) { $0 + $1.total }
        for partition in partitions {
            for transfer in try await inventory.transfersInFlight(partition: partition)
            where BucketID(transfer.from)?.sku ?? transfer.from == sku {
                let settled = try await pool.send(
                    .zscore(keys.settledTransfersKey(partition: keys.partition(of: transfer.to)), member: transfer.id)
                )
                if settled == .null { total += transfer.units }
            }
        }
        #expect(total == 400)

        // Recovery (what the sweeper does after 2 s) credits whatever was in transit.
        for partition in partitions { try await inventory.finishTransfers(partition: partition, olderThanMs: 0) }
        let buckets = try await inventory.buckets(of: sku)
        #expect(buckets.reduce(0) { $0 + $1.total } == 400)
        #expect(buckets[3].total > 50, "no transfer reached bucket 3")
        #expect(buckets.allSatisfy { $0.isBalanced && $0.available >= 0 })
        let stock = try await inventory.sku(sku)
        #expect(
            stock.isBalanced && stock.total == 400 && stock.held >= 3 * Int64(progress.placed.load(ordering: .relaxed))
        )
        for partition in partitions {
            #expect(
                try await inventory.transfersInFlight(partition: partition).allSatisfy {
                    (BucketID($0.from)?.sku ?? $0.from) != sku
                }
            )
        }
        await pool.shutdown()
    }
}
