/// A value bound to a statement parameter or read from a result column.
public enum MariaDBValue: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
}

extension MariaDBValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension MariaDBValue {
    /// An optional integer as a value (`NULL` for `nil`).
    public static func int(_ value: Int64?) -> MariaDBValue { value.map { .int($0) } ?? .null }
    /// An optional string as a value (`NULL` for `nil`).
    public static func text(_ value: String?) -> MariaDBValue { value.map { .text($0) } ?? .null }
    /// An optional double as a value (`NULL` for `nil`).
    public static func double(_ value: Double?) -> MariaDBValue { value.map { .double($0) } ?? .null }
}

/// One row of a result: column values as text (`nil` for `NULL`), by position and name.
public struct MariaDBRow: Sendable, Hashable {
    /// Column names, in order.
    public let columns: [String]
    /// Column values as the server sent them in text form; `nil` for `NULL`.
    public let values: [String?]

    /// The value of the named column, `nil` for `NULL` or an unknown column.
    public subscript(column: String) -> String? {
        guard let index = columns.firstIndex(of: column) else { return nil }
        return values[index]
    }

    /// The named column as an integer.
    public func int(_ column: String) -> Int64? { self[column].flatMap { Int64($0) } }

    /// The named column as a double.
    public func double(_ column: String) -> Double? { self[column].flatMap { Double($0) } }
}
