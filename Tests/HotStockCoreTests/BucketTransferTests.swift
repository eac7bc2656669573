import RedisClient
import Testing

@testable import HotStockCore

/// DESIGN section 12: units move between a SKU's buckets by a transfer that survives a
/// crash at every step; per SKU, at every moment, the buckets' totals plus the units in
/// transit equal the total.
/// Each test wipes the namespace first: the transfers in flight it counts are its own.
@Suite("Transfers between buckets", .serialized)
struct BucketTransferTests {
    /// A SKU of `buckets` bucket records holding `units` each (bucket 0 is the SKU's own).
    private func bucketed(_ inventory: Inventory, buckets: Int, units: Int64) async throws -> [String] {
        let sku = TestEngine.uniqueSKU("buckets")
        let records = (0..<buckets).map { BucketID(sku: sku, index: $0).description }
        for record in records { _ = try await inventory.setRecord(record, SKUUpdate(total: units)) }
        return records
    }

    /// The buckets' totals plus the units in transit out of any of them.
    private func accounted(_ inventory: Inventory, _ records: [String]) async throws -> Int64 {
        var sum: Int64 = 0
        var partitions: Set<Int> = []
        for record in records {
            let stock = try await inventory.record(record)
            #expect(stock.isBalanced, "bucket \(record) is not balanced")
            sum += stock.total
            partitions.insert(inventory.keys.partition(of: record))
        }
        for partition in partitions {
            for transfer in try await inventory.transfersInFlight(partition: partition)
            where records.contains(transfer.from) {
                let settled = try await inventory.redis.send(
                    .zscore(
                        inventory.keys.settledTransfersKey(partition: inventory.keys.partition(of: transfer.to)),
                        member: transfer.id
                    )
                )
                if settled == .null { sum += transfer.units }
            }
        }
        return sum
    }

    @Test func unitsMoveAndEveryBucketLiesInItsOwnPartition() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d18")
        try await TestEngine.wipe(inventory)
        let records = try await bucketed(inventory, buckets: 4, units: 10)
        #expect(Set(records.map(inventory.keys.partition(of:))).count == 4)
        #expect(try await inventory.moveUnits(from: records[1], to: records[0], want: 4) == 4)
        #expect(try await inventory.moveUnits(from: records[2], to: records[0], want: 25, least: 2) == 10)
        #expect(try await inventory.moveUnits(from: records[2], to: records[0], want: 5) == 0)
        #expect(try await inventory.record(records[0]).available == 24)
        #expect(try await inventory.record(records[1]).available == 6)
        #expect(try await accounted(inventory, records) == 40)
        // Held units never move: only available ones.
        _ = try await inventory.placeHold(sku: records[0], order: "o", qty: 9)
        #expect(try await inventory.moveUnits(from: records[0], to: records[3], want: 20, least: 16) == 0)
        #expect(try await inventory.moveUnits(from: records[0], to: records[3], want: 20) == 15)
        #expect(try await inventory.record(records[0]).held == 9)
        #expect(try await inventory.record(records[3]).available == 25)
        #expect(try await accounted(inventory, records) == 40)
    }

    @Test func aTransferLeftAfterEachStepIsFinishedByRecoveryOnce() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d18")
        try await TestEngine.wipe(inventory)
        let records = try await bucketed(inventory, buckets: 3, units: 10)
        let donor = inventory.keys.partition(of: records[1])

        // Died after the debit: the units are in transit, accounted for, credited once.
        let first = TransferIDs.next()
        #expect(try await inventory.transferOut(id: first, from: records[1], to: records[0], want: 3, least: 1) == 3)
        #expect(try await inventory.transferOut(id: first, from: records[1], to: records[0], want: 3, least: 1) == 3)
        #expect(try await inventory.record(records[1]).total == 7)
        #expect(try await accounted(inventory, records) == 30)
        // Too young for recovery: a live process may still be settling it.
        #expect(try await inventory.finishTransfers(partition: donor, olderThanMs: 60_000) == TransferRecovery())
        #expect(try await inventory.finishTransfers(partition: donor, olderThanMs: 0).credited == 1)
        #expect(try await inventory.record(records[0]).total == 13)
        #expect(try await inventory.transfersInFlight(partition: donor).isEmpty)

        // Died after the credit, before the clear: recovery credits nothing twice.
        let second = TransferIDs.next()
        _ = try await inventory.transferOut(id: second, from: records[1], to: records[2], want: 2, least: 1)
        let transfer = try #require(try await inventory.transfersInFlight(partition: donor).first { $0.id == second })
        try await inventory.settle(transfer)
        try await inventory.settle(transfer)
        #expect(try await inventory.finishTransfers(partition: donor, olderThanMs: 0).credited == 0)
        #expect(try await inventory.record(records[2]).total == 12)
        #expect(try await inventory.record(records[1]).total == 5)
        #expect(try await accounted(inventory, records) == 30)
    }

    @Test func theSweeperFinishesATransferItsProcessLeft() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d18")
        try await TestEngine.wipe(inventory)
        let records = try await bucketed(inventory, buckets: 2, units: 10)
        // A first pass before the transfer: it also scans for keys of an earlier layout,
        // which on a large data set outlasts the transfer's grace.
        let sweeper = Sweeper(inventory: inventory, logger: TestEngine.logger)
        try await sweeper.sweepOnce()
        _ = try await inventory.transferOut(id: TransferIDs.next(), from: records[1], to: records[0], want: 6, least: 1)
        #expect(try await sweeper.sweepOnce().transfersFinished == 0)
        try await Task.sleep(for: .milliseconds(Sweeper.transferGraceMs + 100))
        #expect(try await sweeper.sweepOnce().transfersFinished >= 1)
        #expect(try await inventory.record(records[0]).available == 16)
        #expect(try await accounted(inventory, records) == 20)
    }

    @Test func unitsForABucketThatIsGoneGoBackToTheDonor() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d18")
        try await TestEngine.wipe(inventory)
        let records = try await bucketed(inventory, buckets: 2, units: 10)
        let gone = BucketID(sku: BucketID(records[1])!.sku, index: 5).description
        let id = TransferIDs.next()
        _ = try await inventory.transferOut(id: id, from: records[1], to: gone, want: 4, least: 4)
        let recovery = try await inventory.finishTransfers(
            partition: inventory.keys.partition(of: records[1]),
            olderThanMs: 0
        )
        #expect(recovery.returned == 1)
        let donor = try await inventory.record(records[1])
        #expect(donor.total == 10 && donor.available == 10)
        #expect(try await accounted(inventory, records) == 20)
    }

    @Test func transfersRefuseWhatIsNotTwoBucketsOfOneSKU() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d18")
        try await TestEngine.wipe(inventory)
        let records = try await bucketed(inventory, buckets: 2, units: 10)
        let other = try await bucketed(inventory, buckets: 2, units: 10)
        for (from, to) in [(records[1], other[0]), (records[1], records[1]), (records[1], "not a bucket#1")] {
            #expect(
                try await refusalCode { _ = try await inventory.moveUnits(from: from, to: to, want: 1) }
                    == .invalidArgument
            )
        }
        #expect(try await accounted(inventory, records) == 20)
    }
}
