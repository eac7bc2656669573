import RedisClient

/// Builds domain values from the field maps of Redis hashes, script replies and outbox
/// entries, whose field names are ``SKUField`` and ``HoldField``.
enum RecordParsing {
    static func sku(id: String, fields: [String: String]) throws(RedisError) -> SKU {
        func counter(_ field: SKUField) throws(RedisError) -> Int64 {
            guard let value = fields[field].flatMap({ Int64($0) }) else {
                throw RedisError(.unexpectedReply, "SKU \(id) has no valid \(field.rawValue)")
            }
            return value
        }
        let config = SKUConfig(
            perBuyerLimit: fields[.perBuyerLimit].flatMap { Int64($0) },
            opensAtMs: fields[.opensAtMs].flatMap { Int64($0) },
            releaseRate: fields[.releaseRate].flatMap { Double($0) },
            releaseBurst: fields[.releaseBurst].flatMap { Int64($0) },
            defaultTTLMs: fields[.defaultTTLMs].flatMap { Int64($0) },
            maxQty: fields[.maxQty].flatMap { Int64($0) },
            buckets: fields[.buckets].flatMap { Int64($0) },
            bucketRecords: fields[.bucketRecords].flatMap { Int64($0) },
            bucketRoutings: fields[.bucketRoutings],
            spreadTotal: fields[.spreadTotal].flatMap { Int64($0) }
        )
        return SKU(
            id: id,
            total: try counter(.total),
            available: try counter(.available),
            held: try counter(.held),
            sold: try counter(.sold),
            version: try counter(.version),
            config: config,
            kind: fields[.kind].flatMap(SKUKind.init(rawValue:)) ?? .counted
        )
    }

    /// A hold from a field map; `name` gives each field's name in the map (an outbox
    /// entry names the hold's version ``HoldField/eventName``).
    static func hold(
        sku: String,
        order: String,
        fields: [String: String],
        name: (HoldField) -> String = \.rawValue
    ) throws(RedisError) -> Hold {
        func value(_ field: HoldField) -> String? { fields[name(field)] }
        guard let qty = value(.qty).flatMap({ Int64($0) }),
            let state = value(.state).flatMap({ HoldState(rawValue: $0) }),
            let expiresAt = value(.expiresAtMs).flatMap({ Int64($0) }),
            let createdAt = value(.createdAtMs).flatMap({ Int64($0) })
        else {
            throw RedisError(.unexpectedReply, "hold \(sku)/\(order) is incomplete")
        }
        var hold = Hold(
            sku: sku,
            order: order,
            qty: qty,
            buyer: value(.buyer),
            state: state,
            expiresAtMs: expiresAt,
            createdAtMs: createdAt,
            finalAtMs: value(.finalAtMs).flatMap { Int64($0) },
            version: value(.version).flatMap { Int64($0) } ?? 1
        )
        hold.coded = value(.coded) == "1"
        hold.codesCount = value(.codesCount).flatMap { Int64($0) }
        hold.firstDeliveredAtMs = value(.firstDeliveredAtMs).flatMap { Int64($0) }
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

    static let skuFieldNames = (SKUField.counters + SKUField.config).map(\.rawValue)
    static let holdFieldNames = HoldField.allCases.map(\.rawValue)
}
