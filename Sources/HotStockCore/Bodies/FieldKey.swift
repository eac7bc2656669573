/// A JSON key of a contract body. Record fields take their name from the schema
/// (``SKUField``, ``HoldField``), so a body names a field exactly as Redis, the outbox
/// and MySQL do.
struct FieldKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    /// The key of a SKU field.
    init(_ field: SKUField) { stringValue = field.rawValue }
    /// The key of a hold field.
    init(_ field: HoldField) { stringValue = field.rawValue }

    /// The SKU id, in SKU and hold bodies.
    static let sku = FieldKey(stringValue: "sku")
    /// The order id, in hold bodies.
    static let order = FieldKey(stringValue: "order")
    /// Whether a confirm re-acquired an expired hold.
    static let reacquired = FieldKey(stringValue: "reacquired")
}
