import HotStockCore
import Logging
import RedisClient
import ServiceLifecycle

/// Listens to every partition's restock channel (`hs:{p}:restock`) and drops the
/// sold-out gate's flag of each SKU published there. Runs as a service of `serve`,
/// reconnecting with backoff, to the next node each time — the URL's seeds, then every
/// primary the pool knows (on a cluster a message published on any node reaches every
/// node). It pings the connection every ``keepaliveInterval`` and drops one that
/// stopped answering (a frozen node looks open). On every (re)connection it drops all
/// flags, since messages published while it was away are lost.
struct RestockListener: Service {
    /// How often the subscription is pinged; one silent for three times that is dropped.
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
        var attempt = 0
        while !Task.isCancelled {
            let nodes = await candidates()
            var node = redis.configuration
            node.seeds = [nodes[attempt % nodes.count]]
            attempt += 1
            do {
                let subscription = try await RedisSubscription.open(
                    channels: channels,
                    configuration: node,
                    logger: logger
                )
                gate.dropAll()
                backoff = .milliseconds(100)
                warned = false
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await keepAlive(subscription) }
                    for await message in subscription.messages {
                        // 'SKU VERSION' (a bare SKU id drops the flag whatever it learned).
                        let parts = message.payload.split(separator: " ", maxSplits: 1)
                        gate.drop(sku: String(parts.first ?? ""), version: parts.count == 2 ? Int64(parts[1]) : nil)
                    }
                    group.cancelAll()
                }
                await subscription.close()
            } catch {
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

    /// The URL's seeds, then the primaries the pool knows (a cluster's nodes change).
    private func candidates() async -> [RedisNodeAddress] {
        var nodes = redis.configuration.seeds
        for primary in (try? await redis.primaries()) ?? [] where !nodes.contains(primary.address) {
            nodes.append(primary.address)
        }
        return nodes
    }

    /// Pings the subscription until it ends; closes it once it answered nothing for
    /// three intervals.
    private func keepAlive(_ subscription: RedisSubscription) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.keepaliveInterval)
            if Task.isCancelled { return }
            if subscription.sinceLastReply > Self.keepaliveInterval * 3 {
                logger.warning("the restock subscription stopped answering; reconnecting")
                subscription.closeNow()
                return
            }
            subscription.ping()
        }
    }
}
