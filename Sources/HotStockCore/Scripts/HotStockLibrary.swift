import RedisClient

/// HotStock's Redis Functions library, assembled from the scripts in `lua/` that the
/// build embeds: the `#!lua name=hotstock` header, the schema prelude generated from
/// Swift (``LuaSchemaPrelude``), the shared layers of `lua/shared/` (values, records,
/// sale rules, code pools, each using only those before it), then one file per
/// operation.
public enum HotStockLibrary {
    /// The library's name in Redis.
    public static let name = "hotstock"

    /// The shared layers, in the order they build on each other; each is in `lua/shared/`.
    static let sharedLayers = ["values", "records", "rules", "code_pool"]

    /// The operation scripts the engine calls; each must exist in `lua/`.
    static let operations = [
        "hold", "confirm", "release", "due", "expire", "set_sku", "warm", "warm_stage", "load_codes", "deliver",
        "adopt_buyer", "transfer_out", "transfer_in", "transfer_done", "set_buckets",
        "transfer_restore", "claim", "home", "order_begin", "order_mark", "order_due", "pin",
    ]

    /// The library source sent with `FUNCTION LOAD REPLACE`.
    public static let code: String = {
        var parts = ["#!lua name=\(name)", LuaSchemaPrelude.text]
        for layer in sharedLayers { parts.append(embedded(EmbeddedText.luaShared, "shared/\(layer)")) }
        for operation in operations { parts.append(script(operation)) }
        return parts.joined(separator: "\n")
    }()

    /// The text of one embedded script, by file name without `.lua`.
    public static func script(_ name: String) -> String {
        embedded(EmbeddedText.lua, name)
    }

    private static func embedded(_ files: [String: String], _ path: String) -> String {
        let name = String(path.split(separator: "/").last ?? "")
        guard let text = files[name] else { preconditionFailure("lua/\(path).lua is missing from the build") }
        return text
    }
}

/// The names of the library's functions, as `FCALL` takes them.
enum HotStockFunction {
    static let hold = "hs_hold"
    static let confirm = "hs_confirm"
    static let release = "hs_release"
    static let due = "hs_due"
    static let expire = "hs_expire"
    static let setSKU = "hs_set_sku"
    static let warm = "hs_warm"
    static let warmStage = "hs_warm_stage"
    static let loadCodes = "hs_load_codes"
    static let deliver = "hs_deliver"
    static let adoptBuyer = "hs_adopt_buyer"
    static let transferOut = "hs_transfer_out"
    static let transferIn = "hs_transfer_in"
    static let transferDone = "hs_transfer_done"
    static let setBuckets = "hs_set_buckets"
    static let transferRestore = "hs_transfer_restore"
    static let claim = "hs_claim"
    static let home = "hs_home"
    static let orderBegin = "hs_order_begin"
    static let orderMark = "hs_order_mark"
    static let orderDue = "hs_order_due"
    static let pin = "hs_pin"
}
