/// The error body of the HTTP contract: `{"error": {"code": "...", "message": "..."}}`,
/// with `"sku"` when an order of several SKUs was refused for one line's SKU.
public struct ErrorBody: Codable, Sendable, Equatable {
    /// The error's code and message.
    public struct Detail: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        /// The SKU of the order's line the refusal is about.
        public var sku: String?
    }

    public var error: Detail

    /// The body of a refusal.
    public init(_ error: InventoryError) {
        self.error = Detail(code: error.code.rawValue, message: error.message, sku: error.sku)
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
        if let sku = error.sku {
            out += ",\"sku\":"
            JSONText.appendQuoted(sku, to: &out)
        }
        return out + "}}"
    }
}
