import RedisClient

/// A Redis stream entry id (`<ms>-<seq>`), ordered as Redis orders them.
public struct StreamID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds part.
    public var milliseconds: UInt64
    /// Sequence part.
    public var sequence: UInt64

    /// Parses `<ms>-<seq>`; `nil` for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let ms = UInt64(parts[0]), let seq = UInt64(parts[1]) else { return nil }
        milliseconds = ms
        sequence = seq
    }

    init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    /// The smallest id after this one.
    public var next: StreamID {
        sequence == .max
            ? StreamID(milliseconds: milliseconds + 1, sequence: 0)
            : StreamID(milliseconds: milliseconds, sequence: sequence + 1)
    }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }

    public var description: String { "\(milliseconds)-\(sequence)" }
}

/// One change recorded in a partition's outbox (`hs:{p}:events`): the SKU's absolute
/// counters and version after the change (and its config, for the operations that set
/// it: ``carriesConfig``), and the hold's state after it when the change concerned a
/// hold. Applying it is "set to X", never "add X".
public struct OutboxEvent: Sendable, Equatable {
    /// The stream entry id.
    public var id: StreamID
    /// What happened: `sku`, `hold`, `confirm`, `release`, `expire`, `warm`, `codes` (a
    /// batch loaded) or `deliver` (codes first fetched).
    public var op: String
    /// The SKU after the change.
    public var sku: SKU
    /// The hold after the change, for hold operations.
    public var hold: Hold?
    /// Code pool entries: `FINGERPRINT SEALED` for a `codes` load, fingerprints for a
    /// confirm that assigned codes; empty otherwise.
    public var codes: [String] = []
    /// The batch of a `codes` load.
    public var batch: String?
    /// A transfer between two buckets (`transfer_out`, `transfer_in`): its id, the other
    /// bucket record (the recipient of a debit, the donor of a credit) and the units.
    public var transfer: Transfer?

    /// What a transfer event says of its transfer.
    public struct Transfer: Sendable, Equatable {
        /// The transfer's id.
        public var id: String
        /// The other bucket record: the recipient of a debit, the donor of a credit.
        public var peer: String
        /// The units moved.
        public var units: Int64
    }

    /// Whether the event carries the SKU's config: only `sku` (set by an operator) and
    /// `warm` (restored from MySQL) do; every other event leaves the config as it is.
    public var carriesConfig: Bool { op == "sku" || op == "warm" }

    /// Whether the change also wrote entries to the code outbox: a load, and a confirm or
    /// delivery of a hold of a codes SKU.
    var wroteCodes: Bool { op == "codes" || ((op == "confirm" || op == "deliver") && hold?.coded == true) }

    /// Parses a stream entry `[id, [field, value, ...]]`; `nil` for a malformed or
    /// deleted entry.
    init?(entry: RedisReply) {
        guard let (id, fields) = Self.parse(entry), let op = fields["op"], let skuID = fields["sku"],
            let sku = try? RecordParsing.sku(id: skuID, fields: fields)
        else { return nil }
        self.id = id
        self.op = op
        self.sku = sku
        codes = fields["codes"].map { $0.split(separator: ",").map(String.init) } ?? []
        batch = fields["batch"]
        if let id = fields["transfer"], let peer = fields["to"] ?? fields["from"],
            let units = fields["units"].flatMap({ Int64($0) })
        {
            transfer = Transfer(id: id, peer: peer, units: units)
        }
        if let order = fields["order"] {
            guard let hold = try? RecordParsing.hold(sku: skuID, order: order, fields: fields, name: \.eventName)
            else { return nil }
            self.hold = hold
        }
    }

    /// A stream entry `[id, [field, value, ...]]` as its id and fields; nil when malformed.
    static func parse(_ entry: RedisReply) -> (StreamID, [String: String])? {
        guard let parts = entry.array, parts.count == 2, let idText = parts[0].string, let id = StreamID(idText),
            let values = parts[1].array
        else { return nil }
        var fields: [String: String] = [:]
        var index = 0
        while index + 1 < values.count {
            if let name = values[index].string, let value = values[index + 1].string { fields[name] = value }
            index += 2
        }
        return (id, fields)
    }
}
