import HotStockCore

/// Reads a JSON object request body and its fields, refusing anything the contract
/// does not allow with `invalid_argument`.
struct RequestBody {
    private(set) var fields: [String: JSONValue]

    /// Parses `bytes` as a JSON object; an empty body is an empty object when `optional`.
    init(_ bytes: [UInt8], optional: Bool) throws(InventoryError) {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            guard optional else { throw InventoryError(.invalidArgument, "a JSON body is required") }
            fields = [:]
            return
        }
        let parsed: (value: JSONValue, duplicateKey: String?)
        do {
            parsed = try StrictJSONParser.parse(bytes)
        } catch {
            throw InventoryError(.invalidArgument, "the body is not valid JSON")
        }
        guard case .object(let fields) = parsed.value else {
            throw InventoryError(.invalidArgument, "the body must be a JSON object")
        }
        if let duplicate = parsed.duplicateKey {
            throw InventoryError(.invalidArgument, "the body names \(duplicate) twice")
        }
        self.fields = fields
    }

    /// A body of `fields` already parsed (a nested object).
    init(fields: [String: JSONValue]) {
        self.fields = fields
    }

    /// Refuses fields outside `allowed`.
    func allowOnly(_ allowed: Set<String>) throws(InventoryError) {
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw InventoryError(.invalidArgument, "unknown field \(unknown)")
        }
    }

    /// An integer field, `nil` when absent. Its range is the scripts' to check.
    func integer(_ name: String) throws(InventoryError) -> Int64? {
        switch fields[name] {
        case nil: return nil
        case .integer(let value): return value
        default: throw InventoryError(.invalidArgument, "\(name) must be an integer")
        }
    }

    /// A string field, `nil` when absent.
    func string(_ name: String) throws(InventoryError) -> String? {
        switch fields[name] {
        case nil: return nil
        case .string(let value): return value
        default: throw InventoryError(.invalidArgument, "\(name) must be a string")
        }
    }

    /// A boolean field, `nil` when absent.
    func bool(_ name: String) throws(InventoryError) -> Bool? {
        switch fields[name] {
        case nil: return nil
        case .bool(let value): return value
        default: throw InventoryError(.invalidArgument, "\(name) must be true or false")
        }
    }

    /// An integer config field: absent keeps, null clears, an integer sets (the script
    /// checks its range).
    func integerUpdate(_ name: String) throws(InventoryError) -> FieldUpdate<Int64> {
        switch fields[name] {
        case nil: return .keep
        case .null: return .clear
        case .integer(let value): return .set(value)
        default: throw InventoryError(.invalidArgument, "\(name) must be null or an integer")
        }
    }

    /// A numeric config field: absent keeps, null clears, a number sets (the script
    /// checks its range).
    func numberUpdate(_ name: String) throws(InventoryError) -> FieldUpdate<Double> {
        switch fields[name] {
        case nil: return .keep
        case .null: return .clear
        case .integer(let integer): return .set(Double(integer))
        case .number(let number): return .set(number)
        default: throw InventoryError(.invalidArgument, "\(name) must be null or a number")
        }
    }
}
