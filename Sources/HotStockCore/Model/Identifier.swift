/// The id rules of DESIGN section 3, shared by SKU, order, buyer and batch ids:
/// 1–64 characters of `[A-Za-z0-9._:-]` (so `/` can join two ids in a key).
public enum Identifier {
    /// The longest id accepted.
    public static let maxLength = 64

    /// Whether `value` is a valid id.
    public static func isValid(_ value: String) -> Bool {
        let bytes = value.utf8
        guard (1...maxLength).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: ":"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
    }

    /// Throws `invalid_argument` naming `field` unless `value` is a valid id.
    public static func validate(_ value: String, field: String) throws(InventoryError) {
        guard isValid(value) else {
            throw InventoryError(.invalidArgument, "\(field) must be 1-64 characters of [A-Za-z0-9._:-]")
        }
    }
}
