/// One bucket of a SKU spread over several (DESIGN section 12), as `hotstock stock show
/// SKU --buckets` prints it: its index (0 is the SKU's own record) and its counters.
public struct BucketBody: Codable, Sendable, Equatable {
    /// The bucket's index (0: the SKU's own record).
    public var bucket: Int
    /// Units the bucket has in all: `available + held + sold`.
    public var total: Int64
    /// Units free to hold in this bucket.
    public var available: Int64
    /// Units in live holds of this bucket.
    public var held: Int64
    /// Units confirmed in this bucket.
    public var sold: Int64
    /// Goes up by one with every change to the bucket.
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
