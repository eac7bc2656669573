import ArgumentParser
import HotStockCore

/// `hotstock stock set|show`: a SKU's stock and rules.
struct StockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stock",
        abstract: "Create, update and show SKUs.",
        subcommands: [StockSetCommand.self, StockShowCommand.self]
    )
}

/// `hotstock stock set SKU --total N | --kind codes [config...]`: "set total to X" plus
/// config, or a codes SKU (whose total is the number of codes loaded).
struct StockSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Create a SKU or set its total and rules; options left out keep their value."
    )

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The SKU id.") var sku: String
    @Option(help: "Units on sale in all (held and sold units stay; available takes the rest).")
    var total: Int64?
    @Option(help: "counted (default) or codes: a pool of codes, loaded with `hotstock codes load`.")
    var kind: String?
    @Option(name: .customLong("per-buyer-limit"), help: "Units one buyer may hold and buy in all.")
    var perBuyerLimit: Int64?
    @Option(name: .customLong("opens-at-ms"), help: "No hold before this Unix time in ms (Redis clock).")
    var opensAtMs: Int64?
    @Option(name: .customLong("release-rate"), help: "Token bucket: units released per second from the opening.")
    var releaseRate: Double?
    @Option(name: .customLong("release-burst"), help: "Token bucket: units released at the opening.")
    var releaseBurst: Int64?
    @Option(name: .customLong("default-ttl-ms"), help: "TTL of holds that name none (1000...86400000).")
    var defaultTTLMs: Int64?
    @Option(name: .customLong("max-qty"), help: "Most units one hold may take (default 1000).")
    var maxQty: Int64?
    @Option(
        help:
            "Spread the SKU's stock over this many buckets (1...64), each on a Redis slot of its own; may change while a sale runs."
    )
    var buckets: Int64?
    @Option(
        name: .customLong("clear"),
        help: "Unset a rule: per-buyer-limit, opens-at-ms, release-rate, release-burst, default-ttl-ms, max-qty."
    )
    var clear: [String] = []

    func validate() throws {
        if let kind, SKUKind(rawValue: kind) == nil {
            throw ValidationError("--kind takes counted or codes, not \(kind)")
        }
        if total == nil && kind != SKUKind.codes.rawValue {
            throw ValidationError("--total is required (or --kind codes)")
        }
        let known = ["per-buyer-limit", "opens-at-ms", "release-rate", "release-burst", "default-ttl-ms", "max-qty"]
        for name in clear where !known.contains(name) {
            throw ValidationError("--clear takes one of \(known.joined(separator: ", ")), not \(name)")
        }
    }

    func run() async throws {
        var update = SKUUpdate()
        update.total = total
        update.kind = kind.flatMap(SKUKind.init(rawValue:))
        update.perBuyerLimit = change(perBuyerLimit, "per-buyer-limit")
        update.opensAtMs = change(opensAtMs, "opens-at-ms")
        update.releaseRate = change(releaseRate, "release-rate")
        update.releaseBurst = change(releaseBurst, "release-burst")
        update.defaultTTLMs = change(defaultTTLMs, "default-ttl-ms")
        update.maxQty = change(maxQty, "max-qty")
        update.buckets = buckets
        try await EngineCommand.run(engine, output) { inventory in
            SKUBody(try await inventory.setSKU(sku, update).sku)
        }
    }

    private func change<V>(_ value: V?, _ name: String) -> FieldUpdate<V> {
        if let value { return .set(value) }
        return clear.contains(name) ? .clear : .keep
    }
}

/// `hotstock stock show SKU [--buckets]`: the stock snapshot, or each bucket's counters.
struct StockShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a SKU's stock and rules.")

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The SKU id.") var sku: String
    @Flag(help: "Print each bucket's counters (bucket 0 is the SKU's own record).") var buckets = false

    func run() async throws {
        if buckets {
            try await EngineCommand.run(engine, output) { inventory in
                try await inventory.buckets(of: sku).map(BucketBody.init)
            }
            return
        }
        try await EngineCommand.run(engine, output) { inventory in
            SKUBody(try await inventory.sku(sku))
        }
    }
}
