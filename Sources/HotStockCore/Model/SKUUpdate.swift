/// A change to one config field: keep it, clear it, or set it.
public enum FieldUpdate<Value: Sendable & Equatable>: Sendable, Equatable {
    case keep
    case clear
    case set(Value)
}

/// An admin's "set total to X" plus config changes (DESIGN section 5, `PUT /v1/skus/{sku}`).
/// A field left as `.keep` keeps its value; `.clear` makes it unset.
public struct SKUUpdate: Sendable, Equatable {
    /// The new total; units in holds and sales stay, `available` takes the rest. A codes
    /// SKU takes none (its total is the number of codes loaded); a counted one needs it.
    public var total: Int64?
    /// The kind of a new SKU (`nil`: counted, or the existing SKU's kind); an existing
    /// SKU's kind cannot change.
    public var kind: SKUKind?
    public var perBuyerLimit: FieldUpdate<Int64> = .keep
    public var opensAtMs: FieldUpdate<Int64> = .keep
    public var releaseRate: FieldUpdate<Double> = .keep
    public var releaseBurst: FieldUpdate<Int64> = .keep
    public var defaultTTLMs: FieldUpdate<Int64> = .keep
    public var maxQty: FieldUpdate<Int64> = .keep
    /// How many buckets to spread the stock over (DESIGN section 12, 1 to 64); for now
    /// only when the SKU is created (`nil`: one, or as it is).
    public var buckets: Int64?

    /// Makes an update that sets the total and keeps every config field.
    public init(total: Int64) {
        self.total = total
    }

    /// Makes an update that names no total and no kind and keeps every config field
    /// (for a codes SKU: a config change).
    public init() {}

    /// Makes an update that creates a SKU of `kind` (or keeps an existing one of it)
    /// without naming a total.
    public init(kind: SKUKind) {
        self.kind = kind
    }

    /// The config changes as the set-SKU script takes them: field, value ('' clears).
    /// The script checks every value against the rules.
    func scriptArguments() -> [String] {
        var arguments: [String] = []
        func add<V>(_ field: SKUField, _ update: FieldUpdate<V>, _ render: (V) -> String) {
            switch update {
            case .keep: break
            case .clear: arguments += [field.rawValue, ""]
            case .set(let value): arguments += [field.rawValue, render(value)]
            }
        }
        add(.perBuyerLimit, perBuyerLimit, String.init)
        add(.opensAtMs, opensAtMs, String.init)
        add(.releaseRate, releaseRate, Self.decimal)
        add(.releaseBurst, releaseBurst, String.init)
        add(.defaultTTLMs, defaultTTLMs, String.init)
        add(.maxQty, maxQty, String.init)
        if let kind { arguments += [SKUField.kind.rawValue, kind.rawValue] }
        if let buckets { arguments += [SKUField.buckets.rawValue, String(buckets)] }
        return arguments
    }

    /// Whether applying this update to `sku` would leave it as it is (a repeated PUT).
    public func changesNothing(of sku: SKU) -> Bool {
        func same<V>(_ update: FieldUpdate<V>, _ value: V?) -> Bool {
            switch update {
            case .keep: true
            case .clear: value == nil
            case .set(let new): value == new
            }
        }
        return (total ?? sku.total) == sku.total && (kind ?? sku.kind) == sku.kind
            && (buckets ?? sku.config.buckets ?? 1) == (sku.config.buckets ?? 1)
            && same(perBuyerLimit, sku.config.perBuyerLimit) && same(opensAtMs, sku.config.opensAtMs)
            && same(releaseRate, sku.config.releaseRate) && same(releaseBurst, sku.config.releaseBurst)
            && same(defaultTTLMs, sku.config.defaultTTLMs) && same(maxQty, sku.config.maxQty)
    }

    /// A plain decimal rendering (no exponent), as the scripts parse it; a value no rule
    /// admits (not finite, not positive, beyond 10^15) renders as "0", which the script
    /// refuses.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite, value > 0, value < 1e15 else { return "0" }
        if value == value.rounded() { return String(Int64(value)) }
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
