import HotStockCore
import Hummingbird

/// Lets a request through only with `Authorization: Bearer <token>` for one of the
/// accepted tokens; 401 `unauthorized` otherwise. Every accepted token is compared, in
/// constant time, so the time taken tells nothing about any token.
///
/// With a limiter, each token is also held to its rate: 429 `rate_limited` beyond it.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    private let accepted: [[UInt8]]
    private let limiter: RateLimiter?

    init(accepting tokens: [String], limiter: RateLimiter? = nil) {
        accepted = tokens.map { Array($0.utf8) }
        self.limiter = limiter
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        var matched: Int?
        if header.hasPrefix(prefix) {
            let presented = Array(header.utf8.dropFirst(prefix.utf8.count))
            for (index, token) in accepted.enumerated() where Self.constantTimeEquals(presented, token) {
                matched = index
            }
        }
        guard let matched else {
            return ContractResponse.error(InventoryError(.unauthorized, "a valid bearer token is required"))
        }
        // The bucket is keyed by the token's position, never by the secret itself.
        if let limiter, let wait = limiter.take("token:\(matched)") {
            return ContractResponse.error(
                InventoryError(
                    .rateLimited,
                    "this client sends faster than its rate",
                    retryAfterMilliseconds: wait * 1000
                )
            )
        }
        return try await next(request, context)
    }

    /// Compares without stopping at the first difference.
    static func constantTimeEquals(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: left.count ^ right.count)
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0 && !right.isEmpty
    }
}
