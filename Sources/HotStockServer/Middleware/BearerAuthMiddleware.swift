import HotStockCore
import Hummingbird

/// Lets a request through only with `Authorization: Bearer <token>` for one of the
/// accepted tokens; 401 `unauthorized` otherwise. Every accepted token is compared, in
/// constant time, so the time taken tells nothing about any token.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    private let accepted: [[UInt8]]

    init(accepting tokens: [String]) {
        accepted = tokens.map { Array($0.utf8) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        var matched = false
        if header.hasPrefix(prefix) {
            let presented = Array(header.utf8.dropFirst(prefix.utf8.count))
            for token in accepted where Self.constantTimeEquals(presented, token) { matched = true }
        }
        guard matched else {
            return ContractResponse.error(InventoryError(.unauthorized, "a valid bearer token is required"))
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
