extension HoldBody {
    /// The body as compact JSON with sorted keys: exactly what `JSONEncoder` (as
    /// ``HotStockJSON`` configures it) writes, without its per-call machinery — the hold
    /// body is the answer of the hottest route.
    var jsonText: String {
        var out = "{"
        out.reserveCapacity(192)
        func key(_ name: String) {
            if out.utf8.count > 1 { out += "," }
            out += "\""
            out += name
            out += "\":"
        }
        func string(_ value: String?) {
            guard let value else {
                out += "null"
                return
            }
            JSONText.appendQuoted(value, to: &out)
        }
        func integer(_ value: Int64?) { out += value.map { String($0) } ?? "null" }
        key(HoldField.buyer.rawValue)
        string(buyer)
        if coded {
            key(HoldField.codesCount.rawValue)
            integer(codesCount)
        }
        key(HoldField.createdAtMs.rawValue)
        integer(createdAtMs)
        key(HoldField.expiresAtMs.rawValue)
        integer(expiresAtMs)
        key(HoldField.finalAtMs.rawValue)
        integer(finalAtMs)
        key(FieldKey.order.stringValue)
        string(order)
        key(HoldField.qty.rawValue)
        integer(qty)
        if let reacquired {
            key(FieldKey.reacquired.stringValue)
            out += reacquired ? "true" : "false"
        }
        key(FieldKey.sku.stringValue)
        string(sku)
        key(HoldField.state.rawValue)
        string(state)
        return out + "}"
    }
}

/// JSON string quoting as `JSONEncoder` writes it (slashes unescaped).
enum JSONText {
    static func appendQuoted(_ value: String, to out: inout String) {
        out += "\""
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
            out += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{08}": out += "\\b"
                case "\u{0C}": out += "\\f"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
