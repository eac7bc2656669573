import HotStockCore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// Builds the HotStock HTTP application: the contract's routes over `inventory`, with
/// `services` (sweeper, syncer, ...) run beside the server in its service group.
public func buildApplication(
    configuration: ServerConfiguration,
    inventory: Inventory,
    registry: PrometheusCollectorRegistry?,
    services: [any Service] = [],
    cold: ColdStore? = nil,
    logger: Logger
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(configuration: configuration, inventory: inventory, registry: registry, cold: cold),
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

/// The router of the HTTP contract (DESIGN section 5).
public func buildRouter(
    configuration: ServerConfiguration,
    inventory: Inventory,
    registry: PrometheusCollectorRegistry?,
    cold: ColdStore? = nil
) -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ContractErrorMiddleware())
    OpsRoutes(inventory: inventory, registry: registry).add(to: router)

    let admin = router.group().add(middleware: BearerAuthMiddleware(accepting: [configuration.adminToken]))
    SKURoutes(inventory: inventory, maxBodyBytes: configuration.maxBodyBytes).addAdmin(to: admin)
    let codes = CodeRoutes(inventory: inventory, maxBatchBytes: configuration.maxCodeBatchBytes, cold: cold)
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
        buyerLimiter: configuration.buyerRate.map { RateLimiter(rate: $0, burst: $0 * 2) }
    )
    .add(to: api)
    return router
}
