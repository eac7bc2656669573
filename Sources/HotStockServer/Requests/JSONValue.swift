/// Any JSON value, as ``StrictJSONParser`` reads it: integers stay integers (a fraction
/// or an integer beyond 64 bits is a `.number`), booleans never pass for numbers, and
/// objects keep every key, so request validation can refuse wrong types and unknown
/// fields.
enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A short name of the value's type, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
