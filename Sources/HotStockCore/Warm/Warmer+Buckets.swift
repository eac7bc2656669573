extension Warmer {
    /// Warms a SKU: its own record, and for a SKU spread over buckets (DESIGN section 12)
    /// each bucket's record from its `sku_buckets` row, then what was in transit between
    /// them when Redis was lost: a transfer whose debit MySQL has and whose credit it
    /// lacks is put back in flight and credited; one whose credit arrived without its
    /// debit is taken off the donor's counters first.
    func warmSKU(_ sku: SKU, force: Bool) async throws -> (live: Int, expired: Int) {
        let rows = try await cold.buckets(sku: sku.id)
        guard rows.keys.max() != nil else { return try await warmOne(sku, force: force) }
        let layout = BucketLayout(sku.config)
        var records: [Int: SKU] = rows.mapValues { row in
            var record = sku
            (record.total, record.available, record.held, record.sold, record.version) =
                (row.total, row.available, row.held, row.sold, row.version)
            return record
        }
        records[0] = sku
        let open = try await cold.openTransfers(sku: sku.id)
        for transfer in open where !transfer.debited {
            // The debit was a change of the donor's: a version MySQL never saw.
            records[transfer.from]?.total -= transfer.units
            records[transfer.from]?.available -= transfer.units
            records[transfer.from]?.version += 1
        }
        var result = (live: 0, expired: 0)
        for (bucket, record) in records.sorted(by: { $0.key < $1.key }) {
            let warmed = try await warmOne(record, force: force, bucket: bucket, buckets: layout.buckets)
            result.live += warmed.live
            result.expired += warmed.expired
        }
        inventory.learn(layout, of: sku.id)
        for transfer in open where transfer.debited {
            try await inventory.restore(
                BucketTransfer(
                    id: transfer.id,
                    from: BucketID(sku: sku.id, index: transfer.from).description,
                    to: BucketID(sku: sku.id, index: transfer.to).description,
                    units: transfer.units
                )
            )
        }
        return result
    }
}

extension Inventory {
    /// Puts a transfer back in flight in its donor's partition and settles it.
    func restore(_ transfer: BucketTransfer) async throws {
        let reply = try await call(
            HotStockFunction.transferRestore,
            keys: [keys.transfersKey(partition: keys.partition(of: transfer.from))],
            arguments: [transfer.id, transfer.from, transfer.to, String(transfer.units)]
        )
        guard reply.isOK else { throw reply.refusal() }
        try await settle(transfer)
    }
}
