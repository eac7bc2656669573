import Logging
import MariaDBClient
import Metrics
import RedisClient
import ServiceLifecycle
import Synchronization

/// Moves every change from the partitions' outbox streams into MySQL.
///
/// It reads each partition with one consumer group, applies a batch in one MySQL
/// transaction (``EventApplier``), and acknowledges the entries only after the commit,
/// so a crash re-delivers rather than loses. Entries left pending by a dead syncer are
/// taken over (`XAUTOCLAIM`). The stream is trimmed only below its oldest entry still
/// pending, so nothing MySQL has not committed is ever dropped, however long MySQL is
/// down. While MySQL is unreachable it backs off and retries the same entries, in order.
public final class Syncer: Service, Sendable {
    private let redis: RedisConnectionPool
    private let keys: KeySpace
    private let applier: EventApplier
    private let configuration: SyncerConfiguration
    private let logger: Logger
    private let appliedCounter = Counter(label: "hotstock_syncer_applied_events_total")
    private let errorCounter = Counter(label: "hotstock_syncer_errors_total")
    private let preparedPartitions = Mutex<Set<Int>>([])
    private let readSizer: OutboxReadSizer
    private let outboxLength = Gauge(label: "hotstock_outbox_length")
    private let outboxOldestAge = Gauge(label: "hotstock_outbox_oldest_unsynced_age_ms")

    /// Makes a syncer from the outboxes of the partitions of `keys` on `redis` to `cold`.
    public init(
        redis: RedisConnectionPool,
        keys: KeySpace,
        cold: ColdStore,
        configuration: SyncerConfiguration = .init(),
        logger: Logger
    ) {
        self.redis = redis
        self.keys = keys
        self.applier = EventApplier(cold: cold, logger: logger)
        self.readSizer = OutboxReadSizer(maxEntries: configuration.batchSize, maxBytes: configuration.maxBatchBytes)
        self.configuration = configuration
        self.logger = logger
    }

    /// Version regressions seen so far (Redis lost writes).
    public var regressionsSeen: Int { applier.regressionsSeen }

    /// Applies everything in the outbox now — this syncer's pending entries, entries
    /// abandoned by dead syncers, and new ones — then returns.
    @discardableResult
    public func syncOnce(progress: (@Sendable (Int) -> Void)? = nil) async throws -> SyncReport {
        var report = SyncReport(applied: 0, claimed: 0)
        for partition in 0..<keys.partitions {
            report.claimed += try await claim(partition)
        }
        while true {
            var applied = 0
            for partition in 0..<keys.partitions {
                applied += try await syncPartition(partition)
            }
            report.applied += applied
            progress?(report.applied)
            if applied == 0 { return report }
        }
    }

    /// Syncs until graceful shutdown, backing off while MySQL or Redis is unreachable.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                let clock = ContinuousClock()
                var lastClaim = clock.now - self.configuration.claimInterval
                var lastGauges = clock.now - .seconds(1)
                var backoff = Duration.milliseconds(50)
                while !Task.isCancelled {
                    do {
                        if clock.now - lastClaim >= self.configuration.claimInterval {
                            for partition in 0..<self.keys.partitions { _ = try await self.claim(partition) }
                            lastClaim = clock.now
                        }
                        var applied = 0
                        for partition in 0..<self.keys.partitions {
                            applied += try await self.syncPartition(partition)
                        }
                        if clock.now - lastGauges >= .seconds(1) {
                            try await self.updateOutboxGauges()
                            lastGauges = clock.now
                        }
                        backoff = .milliseconds(50)
                        if applied == 0 { try await Task.sleep(for: self.configuration.idleWait) }
                    } catch is CancellationError {
                        return
                    } catch let fault as SyncerFault {
                        throw fault
                    } catch {
                        self.errorCounter.increment()
                        self.logger.error(
                            "sync failed; retrying",
                            metadata: ["error": "\(error)", "retry_in": "\(backoff)"]
                        )
                        try await Task.sleep(for: backoff)
                        backoff = min(backoff * 2, self.configuration.maxBackoff)
                    }
                }
            }
        } catch is CancellationError {
            return
        }
    }

    /// Sets `hotstock_outbox_length` (entries still in the streams) and
    /// `hotstock_outbox_oldest_unsynced_age_ms` (age of the oldest entry kept: the
    /// stream is trimmed below its oldest unacknowledged entry).
    func updateOutboxGauges() async throws {
        let now = try await redis.serverTimeMilliseconds()
        var length: Int64 = 0
        var oldest: Int64 = 0
        for partition in 0..<keys.partitions {
            let key = keys.eventsKey(partition: partition)
            length += try await redis.send(.xlen(key)).int ?? 0
            let first = try await redis.send(.xrange(key, count: 1))
            if let id = first.array?.first?.array?.first?.string.flatMap(StreamID.init) {
                oldest = max(oldest, now - Int64(id.milliseconds))
            }
        }
        outboxLength.record(length)
        outboxOldestAge.record(oldest)
    }

    // MARK: One partition

    /// Applies one batch of a partition: this consumer's pending entries first (a
    /// previous attempt that failed), else new ones. Returns how many it applied.
    private func syncPartition(_ partition: Int) async throws -> Int {
        try await ensureGroup(partition)
        var entries = try await read(partition, from: "0")
        if entries.isEmpty { entries = try await read(partition, from: ">") }
        guard !entries.isEmpty else { return 0 }
        return try await applyAndAcknowledge(partition, entries)
    }

    private func applyAndAcknowledge(_ partition: Int, _ entries: [RedisReply]) async throws -> Int {
        let key = keys.eventsKey(partition: partition)
        var ids: [String] = []
        var events: [OutboxEvent] = []
        for entry in entries {
            guard let id = entry.array?.first?.string else { continue }
            ids.append(id)
            if let event = OutboxEvent(entry: entry) {
                events.append(event)
            } else {
                logger.warning(
                    "skipping an unreadable outbox entry",
                    metadata: ["partition": "\(partition)", "id": "\(id)"]
                )
            }
        }
        try await applier.apply(events)
        if configuration.faultPoint == .afterCommitBeforeAck { throw SyncerFault() }
        _ = try await redis.send(.xack(key, group: configuration.group, ids: ids))
        appliedCounter.increment(by: events.count)
        if configuration.trimOutbox { try await trim(partition) }
        return ids.count
    }

    private func read(_ partition: Int, from id: String) async throws -> [RedisReply] {
        do {
            return try await readOnce(partition, from: id)
        } catch let error as RedisError where error.message.hasPrefix("NOGROUP") {
            // The stream and its group are gone (Redis lost its data): make them again.
            preparedPartitions.withLock { _ = $0.remove(partition) }
            try await ensureGroup(partition)
            return try await readOnce(partition, from: id)
        }
    }

    private func readOnce(_ partition: Int, from id: String) async throws -> [RedisReply] {
        let reply = try await redis.send(
            .xreadgroup(
                keys.eventsKey(partition: partition),
                group: configuration.group,
                consumer: configuration.consumer,
                count: readSizer.count(for: partition),
                from: id
            )
        )
        // [[key, [entries...]]] or null
        let entries = reply.array?.first?.array?.last?.array ?? []
        readSizer.record(partition: partition, entries: entries.count, bytes: reply.byteCount)
        return entries
    }

    /// Takes over entries another consumer left pending longer than `claimMinIdle`,
    /// and applies them. Returns how many it took over.
    private func claim(_ partition: Int) async throws -> Int {
        preparedPartitions.withLock { _ = $0.remove(partition) }
        try await ensureGroup(partition)
        let key = keys.eventsKey(partition: partition)
        let minIdle = configuration.claimMinIdle.wholeMilliseconds
        var cursor = "0-0"
        var claimed = 0
        repeat {
            let reply = try await redis.send(
                .xautoclaim(
                    key,
                    group: configuration.group,
                    consumer: configuration.consumer,
                    minIdleMs: minIdle,
                    start: cursor,
                    count: readSizer.count(for: partition)
                )
            )
            guard let parts = reply.array, parts.count >= 2 else { break }
            cursor = parts[0].string ?? "0-0"
            let entries = parts[1].array ?? []
            readSizer.record(partition: partition, entries: entries.count, bytes: reply.byteCount)
            if !entries.isEmpty {
                logger.warning(
                    "took over outbox entries from a syncer presumed dead",
                    metadata: ["partition": "\(partition)", "count": "\(entries.count)"]
                )
                claimed += try await applyAndAcknowledge(partition, entries)
            }
        } while cursor != "0-0"
        return claimed
    }

    /// Trims the stream below its oldest pending entry, or below everything delivered
    /// when nothing is pending. Entries never delivered are always kept.
    private func trim(_ partition: Int) async throws {
        let key = keys.eventsKey(partition: partition)
        let summary = try await redis.send(.xpending(key, group: configuration.group))
        let minimum: StreamID?
        if let parts = summary.array, let count = parts.first?.int, count > 0 {
            minimum = parts[1].string.flatMap(StreamID.init)
        } else {
            let groups = try await redis.send(.xinfoGroups(key))
            let ours = (groups.array ?? []).compactMap { group -> StreamID? in
                let values = group.fieldMap
                guard values["name"]?.string == configuration.group else { return nil }
                return values["last-delivered-id"]?.string.flatMap(StreamID.init)?.next
            }
            minimum = ours.first
        }
        if let minimum {
            _ = try await redis.send(.xtrim(key, minID: minimum.description))
        }
    }

    private func ensureGroup(_ partition: Int) async throws {
        if preparedPartitions.withLock({ $0.contains(partition) }) { return }
        do {
            _ = try await redis.send(.xgroupCreate(keys.eventsKey(partition: partition), group: configuration.group))
        } catch {
            // BUSYGROUP: the group exists already.
            guard error.code == .replyError && error.message.hasPrefix("BUSYGROUP") else { throw error }
        }
        preparedPartitions.withLock { _ = $0.insert(partition) }
    }
}
