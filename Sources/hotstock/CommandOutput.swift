import ArgumentParser
import Foundation
import HotStockCore
import Logging
import RedisClient

/// How a command prints: the contract's JSON bodies with `--json`, readable lines
/// without.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the HTTP API's JSON bodies on stdout.")
    var json = false
}

/// Runs one command against the engine: connects, runs `body`, prints its result and
/// maps failures to the exit codes of DESIGN section 6.
enum EngineCommand {
    static func run(
        _ engine: EngineOptions,
        _ output: OutputOptions,
        retryBudget: Duration = .seconds(2),
        _ body: (Inventory) async throws -> any Encodable & Sendable
    ) async throws {
        let logger = engine.makeLogger(label: "hotstock")
        let pool: RedisConnectionPool
        do {
            pool = RedisConnectionPool(configuration: try engine.redisConfiguration(), logger: logger)
        } catch {
            printFailure("\(error)")
            throw ExitStatus.usage.exitCode
        }
        let inventory = Inventory(
            redis: pool,
            configuration: engine.inventoryConfiguration(retryBudget: retryBudget),
            logger: logger
        )
        let outcome: Result<any Encodable & Sendable, any Error>
        do {
            outcome = .success(try await body(inventory))
        } catch {
            outcome = .failure(error)
        }
        await pool.shutdown()
        do {
            let result = try outcome.get()
            if output.json {
                print(HotStockJSON.encode(result))
            } else {
                print(HumanText.render(result))
            }
        } catch let error as InventoryError {
            if output.json {
                print(HotStockJSON.encode(ErrorBody(error)))
            } else {
                printFailure("\(error.code): \(error.message)")
            }
            throw ExitStatus(error).exitCode
        } catch let error as RedisError {
            printFailure("\(error)")
            throw ExitStatus.infrastructure.exitCode
        }
    }

    static func printFailure(_ line: String) {
        FileHandle.standardError.write(Data("hotstock: \(line)\n".utf8))
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
            let value = object[key].map { $0 is NSNull ? "-" : "\($0)" } ?? "-"
            return "\(key): \(value)"
        }
        .joined(separator: "\n")
    }
}
