import HotStockCore
import Hummingbird
import NIOCore
import Prometheus

/// Unauthenticated routes: health, metrics, the contract.
struct OpsRoutes {
    let inventory: Inventory
    let registry: PrometheusCollectorRegistry?

    func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/health/live") { _, _ in
            ContractResponse.json(["status": "live"])
        }
        router.get("/health/ready") { _, _ in
            if await inventory.isReady() {
                return ContractResponse.json(["status": "ready"])
            }
            return ContractResponse.error(
                InventoryError(
                    .unavailable,
                    "Redis is unreachable or the scripts are not loaded",
                    retryAfterMilliseconds: 1000
                )
            )
        }
        router.get("/metrics") { _, _ in
            var bytes: [UInt8] = []
            registry?.emit(into: &bytes)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/yaml"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: OpenAPIDocumentText.bytes))
            )
        }
    }
}
