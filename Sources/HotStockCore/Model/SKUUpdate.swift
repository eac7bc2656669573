/// A change to one config field: keep it, clear it, or set it.
public enum FieldUpdate<Value: Sendable & Equatable>: Sendable, Equatable {
    case keep
    case clear
    case set(Value)
}

/// An admin's "set total to X" plus config changes (DESIGN section 5, `PUT /v1/skus/{sku}`).
/// A field left as `.keep` keeps its value; `.clear` makes it unset.
public struct SKUUpdate: Sendable, Equatable {
    /// The new total; units in holds and sales stay, `available` takes the rest.
    public var total: Int64
    public var perBuyerLimit: FieldUpdate<Int64> = .keep
    public var opensAtMs: FieldUpdate<Int64> = .keep
    public var releaseRate: FieldUpdate<Double> = .keep
    public var releaseBurst: FieldUpdate<Int64> = .keep
    public var defaultTTLMs: FieldUpdate<Int64> = .keep
    public var maxQty: FieldUpdate<Int64> = .keep

    /// Makes an update that sets the total and keeps every config field.
    public init(total: Int64) {
        self.total = total
    }

    /// The config changes as the set-SKU script takes them: field, value ('' clears).
    func scriptArguments() throws(InventoryError) -> [String] {
        if case .set(let rate) = releaseRate, !(rate.isFinite && rate > 0 && rate <= Double(InventoryLimits.maxCount)) {
            throw InventoryError(
                .invalidArgument,
                "release_rate must be a positive number up to \(InventoryLimits.maxCount)"
            )
        }
        var arguments: [String] = []
        func add<V>(_ field: String, _ update: FieldUpdate<V>, _ render: (V) -> String) {
            switch update {
            case .keep: break
            case .clear: arguments += [field, ""]
            case .set(let value): arguments += [field, render(value)]
            }
        }
        add("per_buyer_limit", perBuyerLimit, String.init)
        add("opens_at_ms", opensAtMs, String.init)
        add("release_rate", releaseRate, Self.decimal)
        add("release_burst", releaseBurst, String.init)
        add("default_ttl_ms", defaultTTLMs, String.init)
        add("max_qty", maxQty, String.init)
        return arguments
    }

    /// A plain decimal rendering (no exponent), as the scripts parse it.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "0" }
        if value == value.rounded(), value < 1e15 { return String(Int64(value)) }
        var text = String(value)
        if text.contains("e") {
            // Scientific notation: spell it out with enough fraction digits.
            let scaled = Int64((value * 1e9).rounded())
            let whole = scaled / 1_000_000_000
            var fraction = String(scaled % 1_000_000_000)
            fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text = fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
        }
        return text
    }
}
