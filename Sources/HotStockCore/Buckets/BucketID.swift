/// The id of a bucket's SKU record (DESIGN section 12): `<sku>#<b>` for bucket `b` in
/// 1...63 of SKU `sku`; bucket 0 is the SKU's own record, named by the SKU id. `#` is no
/// id character, so no client can name a bucket and no bucket names another SKU.
public struct BucketID: Sendable, Hashable, CustomStringConvertible {
    /// The most buckets a SKU may have.
    public static let maxBuckets = 64

    /// The SKU the bucket belongs to.
    public let sku: String
    /// The bucket's index, 0 for the SKU's own record.
    public let index: Int

    /// The bucket `index` of `sku`.
    public init(sku: String, index: Int) {
        precondition((0..<Self.maxBuckets).contains(index), "a bucket index is in 0..<64")
        self.sku = sku
        self.index = index
    }

    /// Parses a bucket record's id (`<sku>#<b>`, b in 1...63); nil for a plain SKU id or
    /// anything malformed.
    public init?(_ record: String) {
        guard let hash = record.utf8.lastIndex(of: UInt8(ascii: "#")) else { return nil }
        let sku = String(record[..<hash])
        let digits = record[record.index(after: hash)...]
        guard let index = Int(digits), String(index) == digits, (1..<Self.maxBuckets).contains(index),
            Identifier.isValid(sku)
        else { return nil }
        self.sku = sku
        self.index = index
    }

    /// The SKU record's id: the SKU id for bucket 0, `<sku>#<b>` otherwise.
    public var description: String { index == 0 ? sku : "\(sku)#\(index)" }
}
