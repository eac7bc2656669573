import ArgumentParser
import Foundation
import HotStockCore

/// How a command prints: the contract's JSON bodies with `--json`, readable lines
/// without.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the HTTP API's JSON bodies on stdout.")
    var json = false

    /// Prints a contract body: as JSON with `--json`, else as readable lines.
    func print(_ body: any Encodable & Sendable) {
        Swift.print(json ? HotStockJSON.encode(body) : HumanText.render(body))
    }
}

/// Runs one command on the engine that ``EngineOptions/makeEngine(label:defaultLevel:retryBudget:cold:)``
/// builds, closes its pools whatever happens, and exits with the status
/// ``ExitStatus/reporting(_:json:)`` gives any failure.
enum EngineCommand {
    /// Runs `body`, whose result is its exit status.
    static func run(
        _ options: EngineOptions,
        label: String = "hotstock",
        retryBudget: Duration = .seconds(2),
        cold: Bool = false,
        json: Bool = false,
        _ body: (HotStockEngine) async throws -> ExitStatus
    ) async throws {
        let status: ExitStatus
        do {
            let engine = try options.makeEngine(label: label, retryBudget: retryBudget, cold: cold)
            status = try await engine.run(body)
        } catch {
            status = try ExitStatus.reporting(error, json: json)
        }
        if status != .success { throw status.exitCode }
    }

    /// Runs `body` on the inventory and prints the contract body it returns.
    static func run(
        _ options: EngineOptions,
        _ output: OutputOptions,
        retryBudget: Duration = .seconds(2),
        _ body: (Inventory) async throws -> any Encodable & Sendable
    ) async throws {
        try await run(options, retryBudget: retryBudget, json: output.json) { engine in
            output.print(try await body(engine.inventory))
            return .success
        }
    }
}

/// Renders a contract body as `field: value` lines for a person.
enum HumanText {
    static func render(_ body: any Encodable) -> String {
        let json = HotStockJSON.encode(body)
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            return json
        }
        return object.keys.sorted().map { key in
            return "\(key): \(text(object[key]))"
        }
        .joined(separator: "\n")
    }

    /// A value for a person: `-` for none, an order's lines as `SKU xQTY STATE, ...`.
    private static func text(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "-" }
        if let lines = value as? [[String: Any]] {
            return lines.map { line in
                "\(text(line["sku"])) x\(text(line["qty"])) \(text(line["state"]))"
            }
            .joined(separator: ", ")
        }
        return "\(value)"
    }
}
