import RedisClient

/// Builds domain values from the field maps of Redis hashes and script replies.
enum RecordParsing {
    static func sku(id: String, fields: [String: String]) throws(RedisError) -> SKU {
        func counter(_ name: String) throws(RedisError) -> Int64 {
            guard let value = fields[name].flatMap({ Int64($0) }) else {
                throw RedisError(.unexpectedReply, "SKU \(id) has no valid \(name)")
            }
            return value
        }
        let config = SKUConfig(
            perBuyerLimit: fields["per_buyer_limit"].flatMap { Int64($0) },
            opensAtMs: fields["opens_at_ms"].flatMap { Int64($0) },
            releaseRate: fields["release_rate"].flatMap { Double($0) },
            releaseBurst: fields["release_burst"].flatMap { Int64($0) },
            defaultTTLMs: fields["default_ttl_ms"].flatMap { Int64($0) },
            maxQty: fields["max_qty"].flatMap { Int64($0) }
        )
        return SKU(
            id: id,
            total: try counter("total"),
            available: try counter("available"),
            held: try counter("held"),
            sold: try counter("sold"),
            version: try counter("version"),
            config: config,
            kind: fields["kind"].flatMap(SKUKind.init(rawValue:)) ?? .counted
        )
    }

    static func hold(sku: String, order: String, fields: [String: String]) throws(RedisError) -> Hold {
        guard let qty = fields["qty"].flatMap({ Int64($0) }),
            let state = fields["state"].flatMap({ HoldState(rawValue: $0) }),
            let expiresAt = fields["expires_at_ms"].flatMap({ Int64($0) }),
            let createdAt = fields["created_at_ms"].flatMap({ Int64($0) })
        else {
            throw RedisError(.unexpectedReply, "hold \(sku)/\(order) is incomplete")
        }
        var hold = Hold(
            sku: sku,
            order: order,
            qty: qty,
            buyer: fields["buyer"],
            state: state,
            expiresAtMs: expiresAt,
            createdAtMs: createdAt,
            finalAtMs: fields["final_at_ms"].flatMap { Int64($0) },
            version: fields["version"].flatMap { Int64($0) } ?? 1
        )
        hold.coded = fields["coded"] == "1"
        hold.codesCount = fields["codes_count"].flatMap { Int64($0) }
        hold.firstDeliveredAtMs = fields["first_delivered_at_ms"].flatMap { Int64($0) }
        return hold
    }

    /// Pairs the names asked with `HMGET` with the values it answered, dropping nils.
    static func fields(names: [String], reply: RedisReply) -> [String: String] {
        var fields: [String: String] = [:]
        for (name, value) in zip(names, reply.array ?? []) {
            if let text = value.string { fields[name] = text }
        }
        return fields
    }

    static let skuFieldNames = [
        "total", "available", "held", "sold", "version", "per_buyer_limit", "opens_at_ms",
        "release_rate", "release_burst", "default_ttl_ms", "max_qty", "kind",
    ]
    static let holdFieldNames = [
        "qty", "buyer", "state", "expires_at_ms", "created_at_ms", "final_at_ms", "version", "coded", "codes_count",
        "first_delivered_at_ms",
    ]
}
