import RedisClient

/// A HotStock script's reply: an outcome (`ok` or a contract error code) followed by
/// field/value pairs.
struct ScriptReply {
    var outcome: String
    var fields: [String: String]

    init(_ reply: RedisReply) throws(RedisError) {
        guard let elements = reply.array, let outcome = elements.first?.string, elements.count % 2 == 1 else {
            throw RedisError(.unexpectedReply, "a HotStock script answered \(reply)")
        }
        self.outcome = outcome
        var fields: [String: String] = [:]
        var index = 1
        while index + 1 < elements.count {
            if let name = elements[index].string, let value = elements[index + 1].string {
                fields[name] = value
            }
            index += 2
        }
        self.fields = fields
    }

    var isOK: Bool { outcome == "ok" }

    subscript(name: String) -> String? { fields[name] }

    func int(_ name: String) -> Int64? { fields[name].flatMap { Int64($0) } }

    func requireInt(_ name: String) throws(RedisError) -> Int64 {
        guard let value = int(name) else {
            throw RedisError(.unexpectedReply, "a HotStock script reply lacks \(name)")
        }
        return value
    }

    /// The refusal this reply carries; `hold` is attached when the reply describes one.
    func refusal(hold: Hold? = nil) -> InventoryError {
        let code = InventoryError.Code(reply: outcome) ?? .invalidArgument
        let message = fields["message"] ?? Self.defaultMessage(code, hold: hold)
        var error = InventoryError(code, message, retryAfterMilliseconds: int("retry_after_ms"), hold: hold)
        if code == .soldOut, let available = int("available"), let maxQty = int("max_qty"),
            let perBuyer = fields["per_buyer"], let version = int("version")
        {
            error.soldOut = SoldOutSnapshot(
                available: available,
                maxQty: maxQty,
                requiresBuyer: perBuyer == "1",
                version: version
            )
        }
        return error
    }

    private static func defaultMessage(_ code: InventoryError.Code, hold: Hold?) -> String {
        switch code {
        case .holdExpired: "the hold has expired"
        case .holdReleased: "the hold was released"
        case .holdConfirmed: "the hold is confirmed"
        default: code.rawValue
        }
    }
}
