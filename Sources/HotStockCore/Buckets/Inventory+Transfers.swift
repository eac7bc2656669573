import RedisClient
import Synchronization

/// Units in transit between two buckets of one SKU: taken out of `from`
/// (`hs_transfer_out`), not yet cleared after their credit to `to`.
public struct BucketTransfer: Sendable, Hashable {
    /// The transfer's id, unique per transfer.
    public var id: String
    /// The donor bucket's SKU record id.
    public var from: String
    /// The recipient bucket's SKU record id.
    public var to: String
    /// The units moved.
    public var units: Int64
    /// When the units left the donor (Redis clock, Unix milliseconds).
    public var createdAtMs: Int64

    /// Parses a `hs:{p}:transfers` entry: field = id, value = `FROM TO UNITS CREATED_MS`.
    init?(id: String, value: String) {
        let parts = value.split(separator: " ")
        guard parts.count == 4, let units = Int64(parts[2]), let created = Int64(parts[3]) else { return nil }
        self.id = id
        self.from = String(parts[0])
        self.to = String(parts[1])
        self.units = units
        self.createdAtMs = created
    }
}

/// What finishing the transfers of a partition did.
public struct TransferRecovery: Sendable, Equatable {
    /// Transfers whose units were credited to their recipient.
    public var credited = 0
    /// Transfers whose recipient was gone, their units credited back to the donor.
    public var returned = 0
}

/// Ids for transfers: a random prefix per process and a counter (short, so that the
/// return of a transfer, `<id>:back`, is still an id).
enum TransferIDs {
    private static let prefix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        return "t\(prefix).\(String(count, radix: 36))"
    }
}

extension Inventory {
    /// Moves up to `want` available units (at least `least`) from the bucket record `from`
    /// to `to` of the same SKU, in the three steps of DESIGN section 12: debit under a
    /// transfer id, idempotent credit, clear. Returns the units moved, 0 when the donor
    /// had fewer than `least` available. A process that dies between the steps leaves
    /// the units in transit, and ``finishTransfers(partition:olderThanMs:)`` completes them.
    public func moveUnits(from: String, to: String, want: Int64, least: Int64 = 1) async throws -> Int64 {
        let id = TransferIDs.next()
        guard let units = try await transferOut(id: id, from: from, to: to, want: want, least: least) else {
            return 0
        }
        let transfer = BucketTransfer(id: id, from: from, to: to, units: units)
        try await settle(transfer)
        return units
    }

    /// Step 1: takes the units out of the donor; nil when it has fewer than `least`.
    func transferOut(id: String, from: String, to: String, want: Int64, least: Int64) async throws -> Int64? {
        let donor = keys.keys(of: from)
        let reply = try await call(
            HotStockFunction.transferOut,
            keys: [donor.skuKey, donor.eventsKey, keys.transfersKey(partition: donor.partition)],
            arguments: [from, to, id, String(want), String(least)]
        )
        if reply.outcome == InventoryError.Code.soldOut.rawValue { return nil }
        guard reply.isOK else { throw reply.refusal() }
        return try reply.requireInt("units")
    }

    /// Steps 2 and 3: credits the recipient (or, when it is gone, voids the credit there
    /// and credits the donor back), then clears the transfer. Idempotent.
    func settle(_ transfer: BucketTransfer) async throws {
        if try await transferIn(transfer, to: transfer.to, id: transfer.id) == .skuNotFound {
            _ = try await transferIn(transfer, to: transfer.to, id: transfer.id, mode: "void")
            if try await transferIn(transfer, to: transfer.from, id: transfer.id + ":back") == .skuNotFound {
                throw InventoryError(.skuNotFound, "both buckets of transfer \(transfer.id) are gone")
            }
        }
        let donor = keys.partition(of: transfer.from)
        let reply = try await call(
            HotStockFunction.transferDone,
            keys: [keys.transfersKey(partition: donor)],
            arguments: [transfer.id]
        )
        guard reply.isOK else { throw reply.refusal() }
    }

    /// Credits (or voids) `transfer`'s units at `recipient` under `id`; the refusal code
    /// when Redis refused it for a reason the caller handles (`sku_not_found`).
    private func transferIn(
        _ transfer: BucketTransfer,
        to recipient: String,
        id: String,
        mode: String = "credit"
    ) async throws -> InventoryError.Code? {
        let located = keys.keys(of: recipient)
        let reply = try await call(
            HotStockFunction.transferIn,
            keys: [located.skuKey, located.eventsKey, keys.settledTransfersKey(partition: located.partition)],
            arguments: [
                recipient, recipient == transfer.to ? transfer.from : transfer.to, id, String(transfer.units), mode,
            ]
        )
        if reply.outcome == InventoryError.Code.skuNotFound.rawValue { return .skuNotFound }
        guard reply.isOK else { throw reply.refusal() }
        return nil
    }

    /// The transfers in flight out of the partition's buckets.
    public func transfersInFlight(partition: Int) async throws -> [BucketTransfer] {
        let reply = try await withRetry { try await redis.send(.hgetall(keys.transfersKey(partition: partition))) }
        let values = (reply.array ?? []).compactMap(\.string)
        return stride(from: 0, to: values.count - 1, by: 2).compactMap {
            BucketTransfer(id: values[$0], value: values[$0 + 1])
        }
    }

    /// Finishes the transfers of the partition that have been in flight at least
    /// `olderThanMs` (Redis clock): their process died or stalls between the steps. A
    /// transfer still being settled by its own process is settled once whoever comes first.
    @discardableResult
    public func finishTransfers(partition: Int, olderThanMs: Int64) async throws -> TransferRecovery {
        let pending = try await transfersInFlight(partition: partition)
        guard !pending.isEmpty else { return TransferRecovery() }
        let now = try await redisTimeMs()
        var recovery = TransferRecovery()
        for transfer in pending where now - transfer.createdAtMs >= olderThanMs {
            let recipient = keys.keys(of: transfer.to)
            let exists = try await withRetry { try await redis.send(.exists(recipient.skuKey)) }.int ?? 0
            try await settle(transfer)
            if exists == 1 { recovery.credited += 1 } else { recovery.returned += 1 }
        }
        return recovery
    }
}

extension BucketTransfer {
    /// A transfer this process just started.
    init(id: String, from: String, to: String, units: Int64) {
        self.id = id
        self.from = from
        self.to = to
        self.units = units
        self.createdAtMs = 0
    }
}
