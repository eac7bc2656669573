/// A refusal by the inventory's rules, or the engine being unreachable: the outcomes a
/// client must handle, each with the contract's error code (DESIGN section 5).
public struct InventoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A contract error code, such as `sold_out`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code as it appears in the contract and in error bodies.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// Maps a code string from a script reply; `nil` for a code HotStock does not know.
        init?(reply: String) {
            guard let code = Self.allCodes.first(where: { $0.rawValue == reply }) else { return nil }
            self = code
        }

        public static let invalidArgument = Code("invalid_argument")
        public static let unauthorized = Code("unauthorized")
        public static let skuNotFound = Code("sku_not_found")
        public static let holdNotFound = Code("hold_not_found")
        public static let soldOut = Code("sold_out")
        public static let saleNotOpen = Code("sale_not_open")
        public static let buyerLimit = Code("buyer_limit")
        public static let holdExpired = Code("hold_expired")
        public static let holdReleased = Code("hold_released")
        public static let holdConfirmed = Code("hold_confirmed")
        public static let totalBelowCommitted = Code("total_below_committed")
        public static let payloadTooLarge = Code("payload_too_large")
        /// HTTP only: the request did not arrive whole in time (a slow client).
        public static let requestTimeout = Code("request_timeout")
        public static let idempotencyConflict = Code("idempotency_conflict")
        /// A code pool operation on a counted SKU.
        public static let notACodeSKU = Code("not_a_code_sku")
        /// Codes asked of a hold that is not confirmed yet.
        public static let holdNotConfirmed = Code("hold_not_confirmed")
        public static let notReleasedYet = Code("not_released_yet")
        public static let rateLimited = Code("rate_limited")
        public static let unavailable = Code("unavailable")
        /// HTTP only: no such route.
        public static let notFound = Code("not_found")
        /// Ops only (`warm`): the SKU is in Redis already.
        public static let skuExists = Code("sku_exists")

        /// Every code HotStock answers with.
        public static let allCodes: [Code] = [
            .invalidArgument, .unauthorized, .skuNotFound, .holdNotFound, .soldOut, .saleNotOpen,
            .buyerLimit, .holdExpired, .holdReleased, .holdConfirmed, .totalBelowCommitted,
            .payloadTooLarge, .requestTimeout, .idempotencyConflict, .notReleasedYet, .rateLimited, .unavailable,
            .skuExists, .notFound, .notACodeSKU, .holdNotConfirmed,
        ]

        /// The HTTP status the contract gives this code.
        public var httpStatus: Int {
            switch self {
            case .invalidArgument: 400
            case .unauthorized: 401
            case .skuNotFound, .holdNotFound, .notFound: 404
            case .requestTimeout: 408
            case .payloadTooLarge: 413
            case .idempotencyConflict: 422
            case .notReleasedYet, .rateLimited: 429
            case .unavailable: 503
            default: 409
            }
        }

        public var description: String { rawValue }
    }

    /// The contract code.
    public var code: Code
    /// A human-readable explanation, free of secrets.
    public var message: String
    /// When the client may retry (for `not_released_yet`, `sale_not_open`, `unavailable`).
    public var retryAfterMilliseconds: Int64?
    /// The hold as it stands, for refusals about a hold's state (`hold_expired`, ...).
    public var hold: Hold?

    /// Makes a refusal.
    public init(
        _ code: Code,
        _ message: String,
        retryAfterMilliseconds: Int64? = nil,
        hold: Hold? = nil
    ) {
        self.code = code
        self.message = message
        self.retryAfterMilliseconds = retryAfterMilliseconds
        self.hold = hold
    }

    /// `Retry-After` in whole seconds, at least 1, when the refusal carries one.
    public var retryAfterSeconds: Int64? {
        retryAfterMilliseconds.map { max(1, ($0 + 999) / 1000) }
    }

    public var description: String { "\(code): \(message)" }
}
