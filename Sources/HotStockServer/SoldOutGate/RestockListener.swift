import HotStockCore
import Logging
import RedisClient
import ServiceLifecycle

/// Listens to every partition's restock channel (`hs:{p}:restock`) and drops the
/// sold-out gate's flag of each SKU published there. Runs as a service of `serve`,
/// reconnecting with backoff (to the next seed node each time: on a cluster a message
/// published on any node reaches every node); on every (re)connection it drops all
/// flags, since messages published while it was away are lost.
struct RestockListener: Service {
    let gate: SoldOutGate
    let channels: [String]
    let configuration: RedisConfiguration
    let logger: Logger

    init(gate: SoldOutGate, keys: KeySpace, configuration: RedisConfiguration, logger: Logger) {
        self.gate = gate
        self.channels = (0..<keys.partitions).map { keys.restockChannel(partition: $0) }
        self.configuration = configuration
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
            var node = configuration
            node.seeds = [configuration.seeds[attempt % configuration.seeds.count]]
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
                for await message in subscription.messages {
                    gate.drop(sku: message.payload)
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
}
