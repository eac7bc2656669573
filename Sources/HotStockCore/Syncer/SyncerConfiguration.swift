import Foundation

/// How the syncer reads the outbox and writes cold stock.
public struct SyncerConfiguration: Sendable {
    /// Where a test may make the syncer die, to prove another one finishes its work.
    public enum FaultPoint: Sendable, Equatable {
        /// After MySQL committed a batch and before the stream entries are acknowledged.
        case afterCommitBeforeAck
    }

    /// The consumer group every syncer shares.
    public var group: String
    /// This syncer's name in the group; each running syncer needs its own.
    public var consumer: String
    /// Most entries read from one partition per round.
    public var batchSize: Int
    /// The most bytes one read of an outbox stream may bring: a read asks for no more
    /// entries than fit at the stream's largest possible entry (see `OutboxStream`).
    public var maxBatchBytes: Int
    /// The pause when a round found nothing to do.
    public var idleWait: Duration
    /// Entries pending this long with another consumer are taken over (`XAUTOCLAIM`):
    /// that consumer is presumed dead.
    public var claimMinIdle: Duration
    /// How often the syncer looks for entries to take over.
    public var claimInterval: Duration
    /// Whether to trim the outbox below its oldest unacknowledged entry after each batch.
    public var trimOutbox: Bool
    /// The longest pause between two attempts while MySQL is unreachable.
    public var maxBackoff: Duration
    /// A fault to inject, for tests only.
    public var faultPoint: FaultPoint?
    /// Copy to MySQL only what this many replicas have (`--wait-replicas`): each read of
    /// new entries is followed by `WAIT`, so a failover cannot take back what MySQL took.
    public var waitReplicas = 0

    /// Makes a configuration with defaults fit for production.
    public init(
        group: String = "hotstock-syncer",
        consumer: String = Self.defaultConsumer,
        batchSize: Int = 4_000,
        maxBatchBytes: Int = 8 << 20,
        idleWait: Duration = .milliseconds(50),
        claimMinIdle: Duration = .seconds(30),
        claimInterval: Duration = .seconds(5),
        trimOutbox: Bool = true,
        maxBackoff: Duration = .seconds(2),
        faultPoint: FaultPoint? = nil
    ) {
        self.group = group
        self.consumer = consumer
        self.batchSize = batchSize
        self.maxBatchBytes = maxBatchBytes
        self.idleWait = idleWait
        self.claimMinIdle = claimMinIdle
        self.claimInterval = claimInterval
        self.trimOutbox = trimOutbox
        self.maxBackoff = maxBackoff
        self.faultPoint = faultPoint
    }

    /// `<host>-<pid>`: unique per running process.
    public static var defaultConsumer: String {
        let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        return "\(host.isEmpty ? "syncer" : host)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}

/// What a syncer pass did.
public struct SyncReport: Sendable, Equatable {
    /// Outbox entries applied to MySQL and acknowledged.
    public var applied: Int
    /// Entries taken over from other consumers.
    public var claimed: Int
}

/// The syncer died at an injected fault point (tests only).
public struct SyncerFault: Error, Sendable {}
