import Crypto
import Foundation
import RedisClient

/// What loading one batch of codes did.
public struct CodeBatchResult: Sendable, Equatable {
    public var sku: String
    public var batch: String
    /// Codes new to the SKU, now in its pool.
    public var added: Int64
    /// Codes the SKU had seen already (in this batch, an earlier one, or delivered).
    public var duplicates: Int64
    /// The SKU's total after the batch.
    public var total: Int64
    /// `false` when the batch had been loaded before and this call changed nothing.
    public var created: Bool

    /// Makes a result.
    public init(sku: String, batch: String, added: Int64, duplicates: Int64, total: Int64, created: Bool) {
        self.sku = sku
        self.batch = batch
        self.added = added
        self.duplicates = duplicates
        self.total = total
        self.created = created
    }
}

/// The codes of a confirmed hold, in clear, for the buyer.
public struct CodeDelivery: Sendable, Equatable {
    public var sku: String
    public var order: String
    public var codes: [String]
    /// When the codes were first fetched (Redis clock, Unix ms).
    public var firstDeliveredAtMs: Int64
}

extension Inventory {
    /// Checks a batch against the contract (DESIGN section 5b): 1…10,000 codes, each 1–256
    /// characters from `!` to `~`. A batch with any bad code is refused whole.
    public static func validateCodes(_ codes: [String]) throws(InventoryError) {
        guard (1...InventoryLimits.maxCodesPerBatch).contains(codes.count) else {
            throw InventoryError(.invalidArgument, "a batch holds 1...\(InventoryLimits.maxCodesPerBatch) codes")
        }
        for (index, code) in codes.enumerated() {
            let bytes = code.utf8
            guard (1...InventoryLimits.maxCodeLength).contains(bytes.count),
                bytes.allSatisfy({ (0x21...0x7E).contains($0) })
            else {
                // The message names the position, never the code.
                throw InventoryError(
                    .invalidArgument,
                    "code \(index + 1) is not 1-\(InventoryLimits.maxCodeLength) characters from ! to ~"
                )
            }
        }
    }

    /// Seals and loads a batch of codes into a codes SKU's pool. Idempotent by batch id:
    /// the same batch again answers the same result and adds nothing; other codes under
    /// the same batch id are `idempotency_conflict`.
    public func loadCodes(sku: String, batch: String, codes: [String]) async throws -> CodeBatchResult {
        try Identifier.validate(sku, field: "sku")
        try Identifier.validate(batch, field: "batch")
        try Self.validateCodes(codes)
        let sealer = try requireSealer()
        // Each code's fingerprints once: the current key's (first) also make the digest.
        let fingerprints = codes.map(sealer.allFingerprints)
        var arguments = [sku, batch, Self.digest(fingerprints.map { $0[0] }), String(sealer.ring.keys.count)]
        arguments.reserveCapacity(arguments.count + codes.count * (sealer.ring.keys.count + 1))
        for (code, prints) in zip(codes, fingerprints) {
            arguments += prints
            arguments.append(try sealer.seal(code, sku: sku))
        }
        let located = keys.keys(of: sku)
        let reply = try await call(
            HotStockFunction.loadCodes,
            keys: [
                located.skuKey, located.eventsKey, located.codeEventsKey, located.batchKey(batch),
                located.fingerprintsKey, located.poolKey,
            ],
            arguments: arguments
        )
        guard reply.isOK else { throw reply.refusal() }
        return CodeBatchResult(
            sku: sku,
            batch: batch,
            added: try reply.requireInt("added"),
            duplicates: try reply.requireInt("duplicates"),
            total: try reply.requireInt("total"),
            created: reply["created"] == "1"
        )
    }

    /// The codes of a confirmed hold of a codes SKU, opened; the first call records the
    /// delivery. The same codes every time.
    public func deliverCodes(sku: String, order: String) async throws -> CodeDelivery {
        try Identifier.validate(sku, field: "sku")
        try Identifier.validate(order, field: "order")
        let sealer = try requireSealer()
        let located = keys.keys(of: sku)
        let reply = try await call(
            HotStockFunction.deliver,
            keys: [
                located.skuKey, located.holdKey(order: order), located.eventsKey, located.codeEventsKey,
                located.undeliveredKey,
            ],
            arguments: [sku, order]
        )
        guard reply.isOK else {
            throw reply.refusal(hold: try? RecordParsing.hold(sku: sku, order: order, fields: reply.fields))
        }
        let entries = (reply["codes"] ?? "").split(separator: ",")
        let codes = try entries.map { entry in
            guard let space = entry.firstIndex(of: " ") else {
                throw InventoryError(.unavailable, "a code of \(sku)/\(order) is malformed")
            }
            do {
                return try sealer.open(String(entry[entry.index(after: space)...]), sku: sku)
            } catch {
                throw InventoryError(.unavailable, "a code of \(sku)/\(order) does not open: \(error)")
            }
        }
        // Sorted: the same answer from Redis and, later, from MySQL.
        return CodeDelivery(
            sku: sku,
            order: order,
            codes: codes.sorted(),
            firstDeliveredAtMs: try reply.requireInt("first_delivered_at_ms")
        )
    }

    /// Codes in the pool of a codes SKU (free to hold or held, not yet assigned).
    public func poolSize(sku: String) async throws -> Int64 {
        try Identifier.validate(sku, field: "sku")
        return try await withRetry { try await redis.send(.llen(keys.poolKey(sku))).int ?? 0 }
    }

    /// Takes an order off the paid-but-not-delivered list (its codes were fetched from
    /// MySQL, Redis having dropped the hold).
    public func markDelivered(sku: String, order: String) async throws {
        let key = keys.undeliveredKey(partition: keys.partition(of: sku))
        _ = try await withRetry { try await redis.send(.zrem(key, members: ["\(sku)/\(order)"])) }
    }

    private func requireSealer() throws(InventoryError) -> CodeSealer {
        guard let sealer = configuration.codeSealer else {
            throw InventoryError(.unavailable, "no code key is configured (HOTSTOCK_CODE_KEY)")
        }
        return sealer
    }

    /// A digest of the batch's codes in order, from their current-key fingerprints (never
    /// the codes).
    static func digest(_ fingerprints: [String]) -> String {
        var hash = SHA256()
        for fingerprint in fingerprints {
            hash.update(data: Data(fingerprint.utf8))
            hash.update(data: Data([0x0A]))
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
