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

extension ErrorBody {
    /// The body as compact JSON with sorted keys, exactly as `JSONEncoder` writes it: the
    /// answer to every too-late request of a flash sale.
    var jsonText: String {
        var out = "{\"error\":{\"code\":"
        JSONText.appendQuoted(error.code, to: &out)
        out += ",\"message\":"
        JSONText.appendQuoted(error.message, to: &out)
        return out + "}}"
    }
}
