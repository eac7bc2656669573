import HotStockCore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus
import RedisClient
import ServiceLifecycle

/// Builds the HotStock HTTP application that `hotstock serve` runs (and the tests run
/// the same): the contract's routes over `engine`, and in its service group the
/// engine's pools (first, so they close last), the sweeper (unless
/// ``ServerConfiguration/runsSweeper`` is off), the code pool monitor, the syncer
/// when the engine has cold stock, and the sold-out gate's restock listener unless
/// ``ServerConfiguration/soldOutGateLapse`` turns the gate off.
public func buildApplication(
    configuration: ServerConfiguration,
    engine: HotStockEngine,
    registry: PrometheusCollectorRegistry?,
    logger: Logger
) -> some ApplicationProtocol {
    let inventory = engine.inventory
    var services = engine.services
    if configuration.runsSweeper { services.append(Sweeper(inventory: inventory, logger: logger)) }
    services.append(CodePoolMonitor(inventory: inventory, logger: logger))
    let monitor = OperationsMonitor(inventory: inventory, logger: logger)
    services.append(monitor)
    if let cold = engine.cold {
        var syncing = SyncerConfiguration()
        syncing.waitReplicas = inventory.configuration.waitReplicas
        services.append(
            Syncer(redis: engine.redis, keys: inventory.keys, cold: cold, configuration: syncing, logger: logger)
        )
    }
    let gate = configuration.soldOutGateLapse.map { SoldOutGate(lapse: $0) }
    if let gate {
        services.append(
            RestockListener(gate: gate, keys: inventory.keys, redis: engine.redis, logger: logger)
        )
    }
    return Application(
        router: buildRouter(
            configuration: configuration,
            engine: engine,
            gate: gate,
            registry: registry,
            monitor: monitor
        ),
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [RequestDeadlineHandler(limit: .init(configuration.requestReadTimeout))],
                idleTimeout: .init(configuration.idleTimeout)
            )
        ),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "hotstock"),
        services: services,
        logger: logger
    )
}

/// The router of the HTTP contract (DESIGN section 5); with a `gate`, hold requests
/// for a SKU known sold out are answered without Redis (DESIGN section 13); with a
/// `monitor`, the SKUs held or ordered have their stock reported (DESIGN section 15).
public func buildRouter(
    configuration: ServerConfiguration,
    engine: HotStockEngine,
    gate: SoldOutGate?,
    registry: PrometheusCollectorRegistry?,
    monitor: OperationsMonitor? = nil
) -> Router<BasicRequestContext> {
    let inventory = engine.inventory
    let router = Router()
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ContractErrorMiddleware())
    OpsRoutes(inventory: inventory, registry: registry).add(to: router)

    let admin = router.group().add(middleware: BearerAuthMiddleware(accepting: [configuration.adminToken]))
    SKURoutes(inventory: inventory, maxBodyBytes: configuration.maxBodyBytes, gate: gate).addAdmin(to: admin)
    let codes = CodeRoutes(engine: engine, maxBatchBytes: configuration.maxCodeBatchBytes, gate: gate)
    codes.addAdmin(to: admin)

    let tokenLimiter = configuration.tokenRate.map { RateLimiter(rate: $0, burst: $0 * 2) }
    let api = router.group()
        .add(
            middleware: BearerAuthMiddleware(
                accepting: [configuration.apiToken, configuration.adminToken],
                limiter: tokenLimiter
            )
        )
    SKURoutes(inventory: inventory, maxBodyBytes: configuration.maxBodyBytes).addReads(to: api)
    codes.addReads(to: api)
    HoldRoutes(
        inventory: inventory,
        maxBodyBytes: configuration.maxBodyBytes,
        outcomes: HoldOutcomeMetrics(),
        buyerLimiter: configuration.buyerRate.map { RateLimiter(rate: $0, burst: $0 * 2) },
        gate: gate,
        monitor: monitor
    )
    .add(to: api)
    OrderRoutes(inventory: inventory, maxBodyBytes: configuration.maxBodyBytes, gate: gate, monitor: monitor)
        .add(to: api)
    return router
}
