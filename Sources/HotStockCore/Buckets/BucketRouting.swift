/// Where a hold lives among a SKU's buckets (DESIGN section 12): bucket
/// `crc32(key) mod buckets`, the key being the order (or, for a SKU with a per-buyer
/// limit, the buyer), so every retry of the same request lands in the same place.
enum BucketRouting {
    /// The SKU record holding `order`'s hold when the SKU has `buckets` buckets and
    /// routes by order.
    static func record(sku: String, order: String, buckets: Int) -> String {
        record(sku: sku, key: order, buckets: buckets)
    }

    /// The SKU record that routing key `key` lands in when the SKU has `buckets` buckets.
    static func record(sku: String, key: String, buckets: Int) -> String {
        guard buckets > 1 else { return sku }
        return BucketID(sku: sku, index: Int(CRC32.checksum(key) % UInt32(buckets))).description
    }

    /// The records of a SKU of `buckets` buckets, bucket 0 (the SKU's own) first.
    static func records(sku: String, buckets: Int) -> [String] {
        (0..<max(1, buckets)).map { BucketID(sku: sku, index: $0).description }
    }
}
