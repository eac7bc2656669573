import ArgumentParser
import HotStockCore

/// `hotstock order place|confirm|release|show`: the API's order operations (DESIGN
/// section 14), for ops by hand.
struct OrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order",
        abstract: "Place, confirm, release and show orders of several SKUs.",
        subcommands: [
            OrderPlaceCommand.self, OrderConfirmCommand.self, OrderReleaseCommand.self, OrderShowCommand.self,
        ]
    )
}

/// `hotstock order place ORDER --line SKU:QTY ... [--buyer B] [--ttl-ms T]`.
struct OrderPlaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "place",
        abstract: "Hold every line of an order or none (idempotent by order)."
    )

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The order id.") var order: String
    @Option(name: .customLong("line"), help: "A line, SKU:QTY (or SKU for one unit); repeat for each SKU.")
    var lines: [String] = []
    @Option(help: "The buyer of every line (required when a SKU has a per-buyer limit).") var buyer: String?
    @Option(name: .customLong("ttl-ms"), help: "How long the lines live unpaid (1000...86400000).")
    var ttlMs: Int64?

    func validate() throws {
        guard !lines.isEmpty else { throw ValidationError("at least one --line SKU:QTY is required") }
        for line in lines where Self.line(line) == nil {
            throw ValidationError("--line must be SKU:QTY with a positive QTY, not \(line)")
        }
    }

    func run() async throws {
        let request = OrderRequest(lines: lines.compactMap(Self.line), buyer: buyer, ttlMs: ttlMs)
        try await EngineCommand.run(engine, output) { inventory in
            OrderBody(try await inventory.placeOrder(order, request).order.answer())
        }
    }

    /// Parses `SKU:QTY` or `SKU`.
    static func line(_ text: String) -> OrderLine? {
        guard let colon = text.lastIndex(of: ":") else { return text.isEmpty ? nil : OrderLine(sku: text, qty: 1) }
        guard let qty = Int64(text[text.index(after: colon)...]), qty >= 1, colon > text.startIndex else { return nil }
        return OrderLine(sku: String(text[..<colon]), qty: qty)
    }
}

/// `hotstock order confirm ORDER [--reacquire]`.
struct OrderConfirmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm",
        abstract: "Confirm every line of an order: payment succeeded."
    )

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The order id.") var order: String
    @Flag(help: "Take expired lines again first, when stock allows.") var reacquire = false

    func run() async throws {
        try await EngineCommand.run(engine, output) { inventory in
            OrderBody(try await inventory.confirmOrder(order, reacquire: reacquire))
        }
    }
}

/// `hotstock order release ORDER`.
struct OrderReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release every line of an order: it was cancelled."
    )

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The order id.") var order: String

    func run() async throws {
        try await EngineCommand.run(engine, output) { inventory in
            OrderBody(try await inventory.releaseOrder(order))
        }
    }
}

/// `hotstock order show ORDER`.
struct OrderShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an order and its lines.")

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The order id.") var order: String

    func run() async throws {
        try await EngineCommand.run(engine, output) { inventory in
            OrderBody(try await inventory.order(order).answer())
        }
    }
}
