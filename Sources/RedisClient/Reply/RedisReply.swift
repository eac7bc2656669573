/// One reply of the Redis protocol (RESP2), decoded.
///
/// Bulk strings are decoded as UTF-8: every value HotStock stores is text (ids,
/// decimal numbers, base64), so no caller needs raw bytes.
public enum RedisReply: Sendable, Hashable {
    /// A simple status such as `OK`.
    case status(String)
    /// An error reply, such as `ERR unknown command`.
    case error(String)
    /// An integer reply.
    case integer(Int64)
    /// A bulk string.
    case bulk(String)
    /// A nested array of replies.
    case array([RedisReply])
    /// The null bulk string or null array.
    case null
}

extension RedisReply {
    /// The reply as text: a bulk string, a status or an integer in decimal; `nil` otherwise.
    public var string: String? {
        switch self {
        case .bulk(let value), .status(let value): value
        case .integer(let value): String(value)
        default: nil
        }
    }

    /// The reply as an integer: an integer reply or a bulk string holding a decimal integer.
    public var int: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let value): Int64(value)
        default: nil
        }
    }

    /// The elements of an array reply; `nil` for anything else.
    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// A flat array reply of names and values (`XINFO GROUPS` entries, ...) as a
    /// dictionary; empty for anything else.
    public var fieldMap: [String: RedisReply] {
        let items = array ?? []
        var values: [String: RedisReply] = [:]
        var index = 0
        while index + 1 < items.count {
            if let name = items[index].string { values[name] = items[index + 1] }
            index += 2
        }
        return values
    }
}
