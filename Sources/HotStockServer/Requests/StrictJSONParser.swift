/// Parses a request body's JSON in one pass into ``JSONValue``, noting the first key any
/// object names twice, without Foundation's `JSONDecoder` machinery.
///
/// It keeps `JSONDecoder`'s reading of values (a number that is an exact 64-bit integer,
/// such as `1`, `1.0` or `1e3`, is an integer; any other finite number a double; numbers
/// beyond a double and lone surrogates are errors) and is stricter in one way: trailing
/// commas are refused, as the JSON grammar says.
struct StrictJSONParser {
    /// The body is not JSON.
    struct Malformed: Error {}

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    /// The first key an object named twice, if any.
    private(set) var duplicateKey: String?

    private static let maxDepth = 512

    /// Parses `bytes` as one JSON value, surrounded by white space only.
    static func parse(_ bytes: [UInt8]) throws(Malformed) -> (value: JSONValue, duplicateKey: String?) {
        var parser = StrictJSONParser(bytes: bytes)
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw Malformed() }
        return (value, parser.duplicateKey)
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func value() throws(Malformed) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw Malformed() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(Malformed) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Malformed() }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw Malformed() }
        index += count
        return value
    }

    private mutating func enter() throws(Malformed) {
        depth += 1
        guard depth <= Self.maxDepth else { throw Malformed() }
        index += 1
    }

    private mutating func object() throws(Malformed) -> JSONValue {
        try enter()
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Malformed() }
            let key = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Malformed() }
            index += 1
            let member = try value()
            if members.updateValue(member, forKey: key) != nil, duplicateKey == nil { duplicateKey = key }
            skipWhitespace()
            guard index < bytes.count else { throw Malformed() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw Malformed() }
            index += 1
            depth -= 1
            return .object(members)
        }
    }

    private mutating func array() throws(Malformed) -> JSONValue {
        try enter()
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try value())
            skipWhitespace()
            guard index < bytes.count else { throw Malformed() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw Malformed() }
            index += 1
            depth -= 1
            return .array(elements)
        }
    }

    /// A string starting at the opening quote; escapes decoded, UTF-8 checked.
    private mutating func string() throws(Malformed) -> String {
        index += 1
        let start = index
        // The common case: no escape, nothing to decode.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
            guard bytes[index] >= 0x20 else { throw Malformed() }
            index += 1
        }
        guard index < bytes.count else { throw Malformed() }
        if bytes[index] == UInt8(ascii: "\"") {
            let text = try utf8(bytes[start..<index])
            index += 1
            return text
        }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: try utf8(bytes[start..<index]).unicodeScalars)
        var run = index
        while true {
            guard index < bytes.count else { throw Malformed() }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                scalars.append(contentsOf: try utf8(bytes[run..<index]).unicodeScalars)
                index += 1
                if byte == UInt8(ascii: "\"") { return String(scalars) }
                scalars.append(try escape())
                run = index
            } else {
                guard byte >= 0x20 else { throw Malformed() }
                index += 1
            }
        }
    }

    private func utf8(_ slice: ArraySlice<UInt8>) throws(Malformed) -> String {
        guard let text = String(validating: slice, as: UTF8.self) else { throw Malformed() }
        return text
    }

    /// The character of an escape, `index` just past its backslash.
    private mutating func escape() throws(Malformed) -> Unicode.Scalar {
        guard index < bytes.count else { throw Malformed() }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hex4()
            if (0xD800...0xDBFF).contains(unit) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw Malformed() }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw Malformed() }
                let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                guard let scalar = Unicode.Scalar(value) else { throw Malformed() }
                return scalar
            }
            guard let scalar = Unicode.Scalar(UInt32(unit)) else { throw Malformed() }
            return scalar
        default:
            throw Malformed()
        }
    }

    private mutating func hex4() throws(Malformed) -> UInt16 {
        guard index + 4 <= bytes.count else { throw Malformed() }
        var value: UInt16 = 0
        for byte in bytes[index..<index + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Malformed()
            }
            value = value << 4 | UInt16(digit)
        }
        index += 4
        return value
    }

    /// A number by the JSON grammar: an exact 64-bit integer is `.integer`, any other
    /// finite value `.number`.
    private mutating func number() throws(Malformed) -> JSONValue {
        let start = index
        func digits() -> Int {
            let first = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - first
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
            throw Malformed()
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw Malformed() }
            isInteger = false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { throw Malformed() }
            isInteger = false
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let double = Double(text), double.isFinite else { throw Malformed() }
        if isInteger { return Int64(text).map(JSONValue.integer) ?? .number(double) }
        if double == double.rounded(), double >= -9_223_372_036_854_775_808.0, double < 9_223_372_036_854_775_808.0 {
            return .integer(Int64(double))
        }
        return .number(double)
    }
}
