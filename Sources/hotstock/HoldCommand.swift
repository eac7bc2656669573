import ArgumentParser
import HotStockCore

/// `hotstock hold place|confirm|release|show`: the API's hold operations, for ops by hand.
struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Place, confirm, release and show holds.",
        subcommands: [
            HoldPlaceCommand.self, HoldConfirmCommand.self, HoldReleaseCommand.self, HoldShowCommand.self,
        ]
    )
}

/// The SKU and order that name a hold.
struct HoldAddress: ParsableArguments {
    @Argument(help: "The SKU id.") var sku: String
    @Argument(help: "The order id.") var order: String
}

/// `hotstock hold place SKU ORDER [--qty N] [--buyer B] [--ttl-ms T]`.
struct HoldPlaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "place",
        abstract: "Hold units for an order (idempotent by order)."
    )

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var address: HoldAddress
    @Option(help: "Units to hold (default 1).") var qty: Int64 = 1
    @Option(help: "The buyer (required when the SKU has a per-buyer limit).") var buyer: String?
    @Option(name: .customLong("ttl-ms"), help: "How long the hold lives unpaid (1000...86400000).")
    var ttlMs: Int64?

    func run() async throws {
        try await EngineCommand.run(engine, output) { inventory in
            HoldBody(
                try await inventory.placeHold(
                    sku: address.sku,
                    order: address.order,
                    qty: qty,
                    buyer: buyer,
                    ttlMs: ttlMs
                ).hold
            )
        }
    }
}

/// `hotstock hold confirm SKU ORDER [--reacquire]`.
struct HoldConfirmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm",
        abstract: "Confirm a hold: payment succeeded."
    )

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var address: HoldAddress
    @Flag(help: "If the hold expired, hold and confirm again in one step when stock allows.")
    var reacquire = false

    func run() async throws {
        try await EngineCommand.run(engine, output) { inventory in
            let confirmation = try await inventory.confirm(sku: address.sku, order: address.order, reacquire: reacquire)
            return HoldBody(confirmation.hold, reacquired: confirmation.reacquired)
        }
    }
}

/// `hotstock hold release SKU ORDER`.
struct HoldReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release a hold: the order was cancelled."
    )

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var address: HoldAddress

    func run() async throws {
        try await EngineCommand.run(engine, output) { inventory in
            HoldBody(try await inventory.release(sku: address.sku, order: address.order))
        }
    }
}

/// `hotstock hold show SKU ORDER`.
struct HoldShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a hold.")

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var address: HoldAddress

    func run() async throws {
        try await EngineCommand.run(engine, output) { inventory in
            HoldBody(try await inventory.hold(sku: address.sku, order: address.order))
        }
    }
}
