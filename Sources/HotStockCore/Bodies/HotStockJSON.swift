import Foundation

/// The one JSON encoding of the contract's bodies, shared by the HTTP API and the CLI.
public enum HotStockJSON {
    /// Encodes a body as compact JSON text.
    public static func encode(_ body: some Encodable) -> String {
        if let hold = body as? HoldBody { return hold.jsonText }
        if let error = body as? ErrorBody { return error.jsonText }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(body), as: UTF8.self)
        } catch {
            preconditionFailure("a contract body failed to encode: \(error)")
        }
    }
}
