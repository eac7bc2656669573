/// One bucket of a SKU spread over several (DESIGN section 12), as `hotstock stock show
/// SKU --buckets` prints it: its index (0 is the SKU's own record) and its counters.
public struct BucketBody: Codable, Sendable, Equatable {
    public var bucket: Int
    public var total: Int64
    public var available: Int64
    public var held: Int64
    public var sold: Int64
    public var version: Int64

    /// The body of a bucket record's snapshot.
    public init(_ record: SKU) {
        bucket = BucketID(record.id)?.index ?? 0
        total = record.total
        available = record.available
        held = record.held
        sold = record.sold
        version = record.version
    }
}
