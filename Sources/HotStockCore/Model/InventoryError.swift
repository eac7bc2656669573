/// A refusal by the inventory's rules, or the engine being unreachable: the outcomes a
/// client must handle, each with the contract's error code (DESIGN section 5). The
/// HTTP server adds the codes only HTTP has (`unauthorized`, `rate_limited`, ...) and
/// maps every code to its status.
public struct InventoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A contract error code, such as `sold_out`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code as it appears in the contract and in error bodies.
        public let rawValue: String
        /// A code; front ends (the HTTP server) make their own with it.
        package init(_ rawValue: String) { self.rawValue = rawValue }

        /// Maps a code string from a script reply; `nil` for a code HotStock does not know.
        init?(reply: String) {
            guard let code = Self.allCodes.first(where: { $0.rawValue == reply }) else { return nil }
            self = code
        }

        public static let invalidArgument = Code("invalid_argument")
        public static let skuNotFound = Code("sku_not_found")
        public static let holdNotFound = Code("hold_not_found")
        /// No order of several SKUs by that id (DESIGN section 14).
        public static let orderNotFound = Code("order_not_found")
        public static let soldOut = Code("sold_out")
        public static let saleNotOpen = Code("sale_not_open")
        public static let buyerLimit = Code("buyer_limit")
        public static let holdExpired = Code("hold_expired")
        public static let holdReleased = Code("hold_released")
        public static let holdConfirmed = Code("hold_confirmed")
        public static let totalBelowCommitted = Code("total_below_committed")
        public static let idempotencyConflict = Code("idempotency_conflict")
        /// A code pool operation on a counted SKU.
        public static let notACodeSKU = Code("not_a_code_sku")
        /// Codes asked of a hold that is not confirmed yet.
        public static let holdNotConfirmed = Code("hold_not_confirmed")
        public static let notReleasedYet = Code("not_released_yet")
        public static let unavailable = Code("unavailable")
        /// Ops only (`warm`): the SKU is in Redis already.
        public static let skuExists = Code("sku_exists")

        /// Every code the engine answers with.
        public static let allCodes: [Code] = [
            .invalidArgument, .skuNotFound, .holdNotFound, .soldOut, .saleNotOpen, .buyerLimit, .holdExpired,
            .holdReleased, .holdConfirmed, .totalBelowCommitted, .idempotencyConflict, .notReleasedYet, .unavailable,
            .skuExists, .notACodeSKU, .holdNotConfirmed, .orderNotFound,
        ]

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
    /// For a hold refused `sold_out`: what the refusal saw of the SKU.
    public var soldOut: SoldOutSnapshot?
    /// For an order of several SKUs refused by one line: that line's SKU.
    public var sku: String?

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
