import Synchronization

/// Which outbox reads a syncer's round needs, so that an idle stream costs no call.
///
/// A stream's own pending entries (a batch that failed before its `XACK`) are read back
/// only until one such read finds none, and again after any failure. A partition's code
/// stream is read only when due: at the start, after any failure, on every claim pass,
/// and when its state stream carried a change that wrote codes (a load, a confirm or a
/// delivery of a codes SKU writes both streams in one script) — until a read finds it
/// drained.
final class OutboxPollPlan: Sendable {
    private struct State {
        var pendingDrained: Set<String> = []
        var dueCodeStreams: Set<Int>
    }

    private let partitions: Int
    private let state: Mutex<State>

    init(partitions: Int) {
        self.partitions = partitions
        self.state = Mutex(State(dueCodeStreams: Set(0..<partitions)))
    }

    /// Everything read again: after a failure, at the start of a drain, on a claim pass.
    func reset() {
        state.withLock { $0 = State(dueCodeStreams: Set(0..<partitions)) }
    }

    /// Whether this consumer's pending entries of `key` may be non-empty.
    func needsPendingRead(_ key: String) -> Bool {
        state.withLock { !$0.pendingDrained.contains(key) }
    }

    /// A read of this consumer's pending entries of `key` found none.
    func pendingDrained(_ key: String) {
        state.withLock { _ = $0.pendingDrained.insert(key) }
    }

    /// Whether the code stream of `partition` needs a read this round.
    func codeStreamDue(_ partition: Int) -> Bool {
        state.withLock { $0.dueCodeStreams.contains(partition) }
    }

    /// The state stream of `partition` carried a change that wrote codes.
    func markCodesDue(_ partition: Int) {
        state.withLock { _ = $0.dueCodeStreams.insert(partition) }
    }

    /// A read of new entries of the code stream of `partition` found it drained.
    func codesDrained(_ partition: Int) {
        state.withLock { _ = $0.dueCodeStreams.remove(partition) }
    }
}
