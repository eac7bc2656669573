import ArgumentParser
import HotStockCore

/// `hotstock codes show SKU ORDER`: the codes of a confirmed order, as
/// `GET /v1/skus/{sku}/holds/{order}/codes` answers them — from Redis, or from MySQL
/// once Redis's retention has dropped the hold. The first call records the delivery.
struct CodesShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the codes of a confirmed order (records their first delivery).",
        discussion: "Needs HOTSTOCK_CODE_KEY; MySQL (HOTSTOCK_MYSQL_URL) answers for orders Redis no longer holds."
    )

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The codes SKU.") var sku: String
    @Argument(help: "The order.") var order: String

    func validate() throws {
        try EngineOptions.requireCodeKey()
    }

    func run() async throws {
        try await EngineCommand.run(engine, cold: true, json: output.json) { engine in
            output.print(CodesBody(try await engine.deliverCodes(sku: sku, order: order)))
            return .success
        }
    }
}
