/// Where an order's hold lives among a SKU's buckets (DESIGN section 12): bucket
/// `crc32(order) mod buckets`, so every retry of the same request lands in the same
/// place and one (sku, order) is one hold.
enum BucketRouting {
    /// The SKU record holding `order`'s hold when the SKU has `buckets` buckets.
    static func record(sku: String, order: String, buckets: Int) -> String {
        guard buckets > 1 else { return sku }
        return BucketID(sku: sku, index: Int(CRC32.checksum(order) % UInt32(buckets))).description
    }

    /// The records of a SKU of `buckets` buckets, bucket 0 (the SKU's own) first.
    static func records(sku: String, buckets: Int) -> [String] {
        (0..<max(1, buckets)).map { BucketID(sku: sku, index: $0).description }
    }
}
