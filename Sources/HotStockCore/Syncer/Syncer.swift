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
    private let preparedStreams = Mutex<Set<String>>([])
    private let plan: OutboxPollPlan
    /// Each partition's two streams, by partition.
    private let streams: [[OutboxStream]]
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
        self.plan = OutboxPollPlan(partitions: keys.partitions)
        self.streams = (0..<keys.partitions).map { OutboxStream.of(partition: $0, in: keys) }
        self.applier = EventApplier(cold: cold, logger: logger)
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
        plan.reset()
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
                            self.plan.reset()
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
                        // A failed batch stays pending: read everything again.
                        self.plan.reset()
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
            for key in keys.outboxKeys(partition: partition) {
                length += try await redis.send(.xlen(key)).int ?? 0
                let first = try await redis.send(.xrange(key, count: 1))
                if let id = first.array?.first?.array?.first?.string.flatMap(StreamID.init) {
                    oldest = max(oldest, now - Int64(id.milliseconds))
                }
            }
        }
        outboxLength.record(length)
        outboxOldestAge.record(oldest)
    }

    // MARK: One partition

    /// Applies one batch of each of a partition's streams: this consumer's pending
    /// entries first (a previous attempt that failed), else new ones. Returns how many
    /// it applied.
    private func syncPartition(_ partition: Int) async throws -> Int {
        var applied = 0
        for stream in streams[partition] {
            if !stream.carriesState, !plan.codeStreamDue(partition) { continue }
            try await ensureGroup(stream)
            var entries: [RedisReply] = []
            if plan.needsPendingRead(stream.key) {
                entries = try await read(stream, from: "0")
                if entries.isEmpty { plan.pendingDrained(stream.key) }
                if !entries.isEmpty, configuration.waitReplicas > 0 { entries = try await replicated(stream, entries) }
            }
            if entries.isEmpty {
                entries = try await read(stream, from: ">")
                if !stream.carriesState, entries.count < readCount(stream) { plan.codesDrained(partition) }
            }
            if !entries.isEmpty { applied += try await applyAndAcknowledge(stream, entries, partition: partition) }
        }
        return applied
    }

    private func applyAndAcknowledge(_ stream: OutboxStream, _ entries: [RedisReply], partition: Int) async throws
        -> Int
    {
        var ids: [String] = []
        var events: [OutboxEvent] = []
        var orders: [OrderEvent] = []
        for entry in entries {
            guard let id = entry.array?.first?.string else { continue }
            ids.append(id)
            if let event = OutboxEvent(entry: entry) {
                events.append(event)
            } else if let order = OrderEvent(entry: entry) {
                orders.append(order)
            } else {
                logger.warning(
                    "skipping an unreadable outbox entry",
                    metadata: ["stream": "\(stream.key)", "id": "\(id)"]
                )
            }
        }
        try await applier.apply(events, orders: orders, carryingState: stream.carriesState)
        // A change that wrote codes wrote them to the partition's code stream too.
        if stream.carriesState, events.contains(where: \.wroteCodes) { plan.markCodesDue(partition) }
        if configuration.faultPoint == .afterCommitBeforeAck { throw SyncerFault() }
        _ = try await redis.send(.xack(stream.key, group: configuration.group, ids: ids))
        appliedCounter.increment(by: events.count + orders.count)
        if configuration.trimOutbox { try await trim(stream) }
        return ids.count
    }

    /// Pending entries read again (after a failed attempt, perhaps a failed `WAIT`):
    /// re-reading them is no write, so a `WAIT` after it would prove nothing. They are
    /// claimed again by this consumer instead (`XCLAIM`, a replicated write), then
    /// `WAIT`ed for, so MySQL still takes only what the replicas have.
    private func replicated(_ stream: OutboxStream, _ entries: [RedisReply]) async throws -> [RedisReply] {
        let ids = entries.compactMap { $0.array?.first?.string }
        let reply = try await redis.send(
            .xclaim(stream.key, group: configuration.group, consumer: configuration.consumer, minIdleMs: 0, ids: ids),
            waitingForReplicas: configuration.waitReplicas,
            timeoutMs: 1000,
            wrote: { !($0.array ?? []).isEmpty }
        )
        return (reply.array ?? []).filter { $0.array != nil }
    }

    private func readCount(_ stream: OutboxStream) -> Int {
        stream.readCount(batchSize: configuration.batchSize, maxBytes: configuration.maxBatchBytes)
    }

    private func read(_ stream: OutboxStream, from id: String) async throws -> [RedisReply] {
        do {
            return try await readOnce(stream, from: id)
        } catch let error as RedisError where error.message.hasPrefix("NOGROUP") {
            // The stream and its group are gone (Redis lost its data): make them again.
            preparedStreams.withLock { _ = $0.remove(stream.key) }
            try await ensureGroup(stream)
            return try await readOnce(stream, from: id)
        }
    }

    private func readOnce(_ stream: OutboxStream, from id: String) async throws -> [RedisReply] {
        // Reading new entries is a write (the group's pending list), so a WAIT after it on
        // the same connection covers every entry it returns.
        let reply = try await redis.send(
            .xreadgroup(
                stream.key,
                group: configuration.group,
                consumer: configuration.consumer,
                count: readCount(stream),
                from: id
            ),
            waitingForReplicas: id == ">" ? configuration.waitReplicas : 0,
            timeoutMs: 1000
        )
        // [[key, [entries...]]] or null
        return reply.array?.first?.array?.last?.array ?? []
    }

    /// Takes over entries another consumer left pending longer than `claimMinIdle` in
    /// a partition's streams, and applies them. Returns how many it took over.
    private func claim(_ partition: Int) async throws -> Int {
        var claimed = 0
        for stream in streams[partition] {
            preparedStreams.withLock { _ = $0.remove(stream.key) }
            try await ensureGroup(stream)
            let minIdle = configuration.claimMinIdle.wholeMilliseconds
            var cursor = "0-0"
            repeat {
                // A claim is a replicated write: with --wait-replicas, WAIT covers what it took.
                let reply = try await redis.send(
                    .xautoclaim(
                        stream.key,
                        group: configuration.group,
                        consumer: configuration.consumer,
                        minIdleMs: minIdle,
                        start: cursor,
                        count: readCount(stream)
                    ),
                    waitingForReplicas: configuration.waitReplicas,
                    timeoutMs: 1000,
                    wrote: { !($0.array?.dropFirst().first?.array ?? []).isEmpty }
                )
                guard let parts = reply.array, parts.count >= 2 else { break }
                cursor = parts[0].string ?? "0-0"
                let entries = parts[1].array ?? []
                if !entries.isEmpty {
                    logger.warning(
                        "took over outbox entries from a syncer presumed dead",
                        metadata: ["stream": "\(stream.key)", "count": "\(entries.count)"]
                    )
                    claimed += try await applyAndAcknowledge(stream, entries, partition: partition)
                }
            } while cursor != "0-0"
        }
        return claimed
    }

    /// Trims the stream below its oldest pending entry, or below everything delivered
    /// when nothing is pending. Entries never delivered are always kept.
    private func trim(_ stream: OutboxStream) async throws {
        let summary = try await redis.send(.xpending(stream.key, group: configuration.group))
        let minimum: StreamID?
        if let parts = summary.array, let count = parts.first?.int, count > 0 {
            minimum = parts[1].string.flatMap(StreamID.init)
        } else {
            let groups = try await redis.send(.xinfoGroups(stream.key))
            let ours = (groups.array ?? []).compactMap { group -> StreamID? in
                let values = group.fieldMap
                guard values["name"]?.string == configuration.group else { return nil }
                return values["last-delivered-id"]?.string.flatMap(StreamID.init)?.next
            }
            minimum = ours.first
        }
        if let minimum {
            _ = try await redis.send(.xtrim(stream.key, minID: minimum.description))
        }
    }

    private func ensureGroup(_ stream: OutboxStream) async throws {
        if preparedStreams.withLock({ $0.contains(stream.key) }) { return }
        do {
            _ = try await redis.send(.xgroupCreate(stream.key, group: configuration.group))
        } catch {
            // BUSYGROUP: the group exists already.
            guard error.code == .replyError && error.message.hasPrefix("BUSYGROUP") else { throw error }
        }
        preparedStreams.withLock { _ = $0.insert(stream.key) }
    }
}
