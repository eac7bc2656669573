/// One of a partition's two outbox streams, and how many of its entries one read may
/// take so that the read stays within the syncer's byte budget.
///
/// The state stream (`hs:{p}:events`) holds small entries only: SKU and hold fields,
/// never codes. The code stream (`hs:{p}:code-events`) holds the sealed codes of loads,
/// assignments and deliveries, at most ``InventoryLimits/codesPerOutboxEntry`` per entry.
/// Both bounds are known before a read, so a read's `COUNT` bounds its bytes.
struct OutboxStream: Sendable, Hashable {
    /// The stream's key.
    var key: String
    /// Whether its entries carry SKU and hold state (else only codes to record).
    var carriesState: Bool

    /// The largest state entry: SKU counters and config, a hold, ids of 64 characters.
    static let maxStateEntryBytes = 2_048
    /// The largest code entry: the SKU and hold fields, then its codes, each a
    /// fingerprint and a sealed code of at most 1,024 characters.
    static let maxCodeEntryBytes = maxStateEntryBytes + InventoryLimits.codesPerOutboxEntry * 2_050

    /// A partition's streams: state first, then codes.
    static func of(partition: Int, in keys: KeySpace) -> [OutboxStream] {
        [
            OutboxStream(key: keys.eventsKey(partition: partition), carriesState: true),
            OutboxStream(key: keys.codeEventsKey(partition: partition), carriesState: false),
        ]
    }

    /// How many entries one read may take: at most `batchSize`, and no more than fit in
    /// `maxBytes` at the stream's largest entry (at least one).
    func readCount(batchSize: Int, maxBytes: Int) -> Int {
        let largest = carriesState ? Self.maxStateEntryBytes : Self.maxCodeEntryBytes
        return max(1, min(batchSize, maxBytes / largest))
    }
}
