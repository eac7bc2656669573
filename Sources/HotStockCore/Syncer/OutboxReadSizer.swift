import Synchronization

/// How many entries the syncer's next read of a partition asks for (`COUNT`), so that
/// a read stays near a byte budget whatever the entries hold: a few bytes for a hold,
/// up to a thousand sealed codes for a code batch.
///
/// A partition's first read asks for a few entries; each read's size per entry then
/// sets the next count, which grows at most fourfold per read.
final class OutboxReadSizer: Sendable {
    private let maxEntries: Int
    private let maxBytes: Int
    private let counts = Mutex<[Int: Int]>([:])

    /// The count of a partition's first read.
    static let firstCount = 16

    init(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = max(1, maxEntries)
        self.maxBytes = max(1, maxBytes)
    }

    /// The count the next read of `partition` asks for.
    func count(for partition: Int) -> Int {
        counts.withLock { $0[partition] } ?? min(maxEntries, Self.firstCount)
    }

    /// Learns from a read of `partition` that brought `entries` entries in `bytes`.
    func record(partition: Int, entries: Int, bytes: Int) {
        guard entries > 0 else { return }
        let fitting = max(1, maxBytes / max(1, bytes / entries))
        counts.withLock { counts in
            let current = counts[partition] ?? min(maxEntries, Self.firstCount)
            counts[partition] = min(maxEntries, fitting, current * 4)
        }
    }
}
