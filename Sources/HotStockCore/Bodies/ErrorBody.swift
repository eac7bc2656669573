/// The error body of the HTTP contract: `{"error": {"code": "...", "message": "..."}}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    /// The error's code and message.
    public struct Detail: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
    }

    public var error: Detail

    /// The body of a refusal.
    public init(_ error: InventoryError) {
        self.error = Detail(code: error.code.rawValue, message: error.message)
    }
}
