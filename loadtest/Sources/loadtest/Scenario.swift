import Foundation

/// A load scenario, read from `loadtest/scenarios/*.json` (any field may be left out).
///
/// - `flash`: `skus` SKUs (usually one) of `units_per_sku` units; `buyers` buyers arrive
///   at once, `concurrency` at a time, each holding 1…`max_units_per_hold` units; a
///   `pay_share` pays (confirm), a `cancel_share` cancels (release), the rest abandon
///   their hold (`abandon_ttl_ms`, left to the sweeper).
/// - `catalog`: many SKUs with Zipf-skewed demand (`zipf_exponent`), for `duration_s`.
/// - `retry-storm`: as `flash`, but every request is sent `1 + retries` times, at once,
///   with the same order id, as clients that time out and retry do.
///
/// - `cart`: orders of several SKUs (DESIGN section 14): each buyer orders
///   `min_lines`…`max_lines` distinct SKUs of a Zipf-skewed catalog at once (hot SKUs
///   sell out and refuse whole orders), then pays, cancels or abandons the order.
///
/// `buckets` spreads each SKU's stock over that many buckets (DESIGN section 12).
struct Scenario: Codable, Sendable {
    var name = "flash"
    var kind = "flash"
    var skus = 1
    var unitsPerSKU: Int64 = 1_000
    var buyers = 5_000
    var concurrency = 64
    var durationS: Double?
    var zipfExponent = 1.1
    var maxUnitsPerHold: Int64 = 2
    var payShare = 0.6
    var cancelShare = 0.2
    var holdTTLMs: Int64 = 60_000
    var abandonTTLMs: Int64 = 1_000
    var perBuyerLimit: Int64?
    var releaseRate: Double?
    var releaseBurst: Int64?
    var retries = 0
    var seed: UInt64 = 42
    /// `counted`, or `codes`: each SKU a code pool of `units_per_sku` codes; buyers who pay
    /// fetch their codes, and the checks follow every code.
    var skuKind = "counted"
    var buckets: Int64?
    /// Lines per order of a `cart` scenario.
    var minLines = 1
    var maxLines = 5

    enum CodingKeys: String, CodingKey {
        case name, kind, skus, buyers, concurrency, retries, seed
        case unitsPerSKU = "units_per_sku"
        case durationS = "duration_s"
        case zipfExponent = "zipf_exponent"
        case maxUnitsPerHold = "max_units_per_hold"
        case payShare = "pay_share"
        case cancelShare = "cancel_share"
        case holdTTLMs = "hold_ttl_ms"
        case abandonTTLMs = "abandon_ttl_ms"
        case perBuyerLimit = "per_buyer_limit"
        case releaseRate = "release_rate"
        case releaseBurst = "release_burst"
        case skuKind = "sku_kind"
        case buckets
        case minLines = "min_lines"
        case maxLines = "max_lines"
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Scenario()
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? d.name
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? d.kind
        skus = try c.decodeIfPresent(Int.self, forKey: .skus) ?? d.skus
        unitsPerSKU = try c.decodeIfPresent(Int64.self, forKey: .unitsPerSKU) ?? d.unitsPerSKU
        buyers = try c.decodeIfPresent(Int.self, forKey: .buyers) ?? d.buyers
        concurrency = try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? d.concurrency
        durationS = try c.decodeIfPresent(Double.self, forKey: .durationS)
        zipfExponent = try c.decodeIfPresent(Double.self, forKey: .zipfExponent) ?? d.zipfExponent
        maxUnitsPerHold = try c.decodeIfPresent(Int64.self, forKey: .maxUnitsPerHold) ?? d.maxUnitsPerHold
        payShare = try c.decodeIfPresent(Double.self, forKey: .payShare) ?? d.payShare
        cancelShare = try c.decodeIfPresent(Double.self, forKey: .cancelShare) ?? d.cancelShare
        holdTTLMs = try c.decodeIfPresent(Int64.self, forKey: .holdTTLMs) ?? d.holdTTLMs
        abandonTTLMs = try c.decodeIfPresent(Int64.self, forKey: .abandonTTLMs) ?? d.abandonTTLMs
        perBuyerLimit = try c.decodeIfPresent(Int64.self, forKey: .perBuyerLimit)
        releaseRate = try c.decodeIfPresent(Double.self, forKey: .releaseRate)
        releaseBurst = try c.decodeIfPresent(Int64.self, forKey: .releaseBurst)
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? d.retries
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        skuKind = try c.decodeIfPresent(String.self, forKey: .skuKind) ?? d.skuKind
        buckets = try c.decodeIfPresent(Int64.self, forKey: .buckets)
        minLines = try c.decodeIfPresent(Int.self, forKey: .minLines) ?? d.minLines
        maxLines = try c.decodeIfPresent(Int.self, forKey: .maxLines) ?? d.maxLines
    }

    /// Loads a scenario by file path, or by name from `loadtest/scenarios/`.
    static func load(_ nameOrPath: String) throws -> Scenario {
        var url = URL(fileURLWithPath: nameOrPath)
        if !FileManager.default.fileExists(atPath: url.path) {
            url = URL(fileURLWithPath: "loadtest/scenarios/\(nameOrPath).json")
        }
        return try JSONDecoder().decode(Scenario.self, from: Data(contentsOf: url))
    }

    /// Refuses scenarios that cannot run.
    func validate() throws {
        guard ["flash", "catalog", "retry-storm", "cart"].contains(kind) else {
            throw ScenarioError("unknown kind \(kind)")
        }
        guard kind != "cart" || (1 <= minLines && minLines <= maxLines && maxLines <= min(20, skus)) else {
            throw ScenarioError("a cart has 1 <= min_lines <= max_lines <= min(20, skus) lines")
        }
        guard ["counted", "codes"].contains(skuKind) else { throw ScenarioError("sku_kind is counted or codes") }
        guard skuKind == "counted" || unitsPerSKU <= 1_000_000 else {
            throw ScenarioError("a codes SKU of this harness holds at most 1,000,000 codes")
        }
        guard skus >= 1, unitsPerSKU >= 1, buyers >= 1, concurrency >= 1, maxUnitsPerHold >= 1, retries >= 0 else {
            throw ScenarioError("skus, units, buyers, concurrency and max units must be positive")
        }
        guard payShare >= 0, cancelShare >= 0, payShare + cancelShare <= 1 else {
            throw ScenarioError("pay_share + cancel_share must lie in 0...1")
        }
        guard (1_000...86_400_000).contains(holdTTLMs), (1_000...86_400_000).contains(abandonTTLMs) else {
            throw ScenarioError("TTLs must lie in 1000...86400000 ms")
        }
    }
}

/// A scenario that cannot run.
struct ScenarioError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A small deterministic generator (SplitMix64), so a seed replays the same run.
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Zipf-distributed choice of `count` items (item 0 most popular).
struct ZipfTable: Sendable {
    private let cumulative: [Double]
    init(count: Int, exponent: Double) {
        var running = 0.0
        var values: [Double] = []
        for rank in 1...count {
            running += 1 / pow(Double(rank), exponent)
            values.append(running)
        }
        cumulative = values.map { $0 / running }
    }
    func pick(_ random: inout SeededRandom) -> Int {
        let u = Double.random(in: 0..<1, using: &random)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < u { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
