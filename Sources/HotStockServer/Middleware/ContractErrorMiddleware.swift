import HotStockCore
import Hummingbird
import Logging
import NIOHTTP1

/// Turns whatever a route throws into the contract: a refusal into its status and error
/// body, an unreachable Redis (or anything unexpected) into `503 unavailable` with
/// `Retry-After`, so no request ever gets a 500. Errors are logged once, with the order
/// id when there is one; refusals only at debug.
struct ContractErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as InventoryError {
            let level: Logger.Level = error.code == .unavailable ? .error : .debug
            context.logger.log(
                level: level,
                "request refused",
                metadata: [
                    "code": "\(error.code)", "sku": "\(context.parameters.get("sku") ?? "-")",
                    "order": "\(context.parameters.get("order") ?? "-")",
                ]
            )
            return ContractResponse.error(error)
        } catch let error as HTTPError where error.status == .notFound {
            return ContractResponse.error(InventoryError(.notFound, "no such route"))
        } catch let error as HTTPParserError {
            // The client broke off or mangled its request (a slow client cut off by the
            // request deadline, a bad chunk): its problem, not the engine's.
            context.logger.debug("request broken off by the client", metadata: ["error": "\(error)"])
            return ContractResponse.error(InventoryError(.invalidArgument, "the request was broken off or malformed"))
        } catch is CancellationError {
            // The connection went away (or the server is stopping) while the route ran.
            context.logger.debug("request cancelled")
            return ContractResponse.error(
                InventoryError(.unavailable, "the request was cancelled", retryAfterMilliseconds: 1000)
            )
        } catch {
            context.logger.error(
                "request failed",
                metadata: [
                    "error": "\(error)", "sku": "\(context.parameters.get("sku") ?? "-")",
                    "order": "\(context.parameters.get("order") ?? "-")",
                ]
            )
            return ContractResponse.error(
                InventoryError(.unavailable, "the engine is unavailable", retryAfterMilliseconds: 1000)
            )
        }
    }
}
