import HotStockCore
import Logging
import RedisClient
import ServiceLifecycle

/// Listens to every partition's restock channel (`hs:{p}:restock`, a shard channel the
/// functions `SPUBLISH` on) and drops the sold-out gate's flag of each SKU published
/// there. Runs as a service of `serve`: one subscription per node, to the channels whose
/// slots that node serves (a single Redis: all of them on its one node; a cluster: each
/// primary its own, so a message travels only within its shard). When any subscription
/// ends — its node died, a slot moved away, a ping went unanswered for three intervals
/// (a frozen node looks open) — all are closed and made again from a fresh slot map,
/// with backoff. On every (re)connection it drops all flags, since messages published
/// while it was away are lost.
struct RestockListener: Service {
    /// How often each subscription is pinged; one silent for three times that is dropped.
    static let keepaliveInterval = Duration.seconds(2)

    let gate: SoldOutGate
    let channels: [String]
    let redis: RedisConnectionPool
    let logger: Logger

    init(gate: SoldOutGate, keys: KeySpace, redis: RedisConnectionPool, logger: Logger) {
        self.gate = gate
        self.channels = (0..<keys.partitions).map { keys.restockChannel(partition: $0) }
        self.redis = redis
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await listen()
        }
    }

    private func listen() async {
        var backoff = Duration.milliseconds(100)
        var warned = false
        var refresh = false
        while !Task.isCancelled {
            var subscriptions: [RedisSubscription] = []
            do {
                for (node, channels) in try await channelsByNode(refreshingMap: refresh) {
                    var configuration = redis.configuration
                    configuration.seeds = [node]
                    subscriptions.append(
                        try await RedisSubscription.open(
                            channels: channels,
                            configuration: configuration,
                            logger: logger
                        )
                    )
                }
                gate.dropAll()
                if warned {
                    logger.info("restock subscriptions back", metadata: ["nodes": "\(subscriptions.count)"])
                }
                backoff = .milliseconds(100)
                warned = false
                await listen(to: subscriptions)
                // A subscription ended: its node died or a slot moved; learn where they are.
                refresh = true
            } catch {
                for subscription in subscriptions { await subscription.close() }
                refresh = true
                let metadata: Logger.Metadata = ["error": "\(error)"]
                if warned {
                    logger.debug("restock subscription failed again", metadata: metadata)
                } else {
                    logger.warning(
                        "restock subscription failed; sold-out flags lapse by themselves",
                        metadata: metadata
                    )
                    warned = true
                }
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
    }

    /// Drops the flags the messages name until the first subscription ends (or the
    /// service is cancelled); then closes them all.
    private func listen(to subscriptions: [RedisSubscription]) async {
        await withTaskGroup(of: Void.self) { group in
            for subscription in subscriptions {
                group.addTask {
                    for await message in subscription.messages {
                        // 'SKU VERSION' (a bare SKU id drops the flag whatever it learned).
                        let parts = message.payload.split(separator: " ", maxSplits: 1)
                        gate.drop(sku: String(parts.first ?? ""), version: parts.count == 2 ? Int64(parts[1]) : nil)
                    }
                }
                group.addTask { await keepAlive(subscription) }
            }
            _ = await group.next()
            for subscription in subscriptions { subscription.closeNow() }
            group.cancelAll()
        }
    }

    /// The restock channels grouped by the node serving their slots.
    private func channelsByNode(refreshingMap: Bool) async throws -> [(RedisNodeAddress, [String])] {
        var groups: [RedisNodeAddress: [String]] = [:]
        var refresh = refreshingMap
        for channel in channels {
            groups[try await redis.node(serving: channel, refreshingMap: refresh), default: []].append(channel)
            refresh = false
        }
        return groups.sorted { $0.key.description < $1.key.description }.map { ($0.key, $0.value) }
    }

    /// Pings the subscription until it ends or the listener is cancelled; closes it once
    /// it answered nothing for three intervals.
    private func keepAlive(_ subscription: RedisSubscription) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.keepaliveInterval)
            if Task.isCancelled { return }
            if subscription.sinceLastReply > Self.keepaliveInterval * 3 {
                logger.warning("a restock subscription stopped answering; reconnecting")
                subscription.closeNow()
                return
            }
            subscription.ping()
        }
    }
}
