import HotStockCore

extension InventoryError.Code {
    /// A missing or wrong bearer token; an admin route with the API token.
    static let unauthorized = Self("unauthorized")
    /// A body over its route's limit.
    static let payloadTooLarge = Self("payload_too_large")
    /// The request did not arrive whole in time (a slow client).
    static let requestTimeout = Self("request_timeout")
    /// One token or buyer sends faster than its configured rate.
    static let rateLimited = Self("rate_limited")
    /// No such route.
    static let notFound = Self("not_found")

    /// Every code the HTTP API answers with: the engine's and HTTP's own.
    public static let httpCodes: [Self] =
        allCodes + [.unauthorized, .payloadTooLarge, .requestTimeout, .rateLimited, .notFound]

    /// The HTTP status the contract (DESIGN section 5) gives this code.
    var httpStatus: Int {
        switch self {
        case .invalidArgument: 400
        case .unauthorized: 401
        case .skuNotFound, .holdNotFound, .orderNotFound, .notFound: 404
        case .requestTimeout: 408
        case .payloadTooLarge: 413
        case .idempotencyConflict: 422
        case .notReleasedYet, .rateLimited: 429
        case .unavailable: 503
        default: 409
        }
    }
}
