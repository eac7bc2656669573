import ArgumentParser
import HotStockCore
import Logging
import MariaDBClient

/// `hotstock migrate`: apply the ops/mysql/ migrations not applied yet.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply MySQL schema migrations (idempotent)."
    )

    @OptionGroup var engine: EngineOptions

    func run() async throws {
        let logger = engine.makeLogger(label: "hotstock.migrate")
        do {
            let pool = MariaDBConnectionPool(configuration: try engine.mysqlConfiguration(), logger: logger)
            let outcome: Result<[String], any Error>
            do {
                outcome = .success(try await ColdStore(pool: pool, logger: logger).migrate())
            } catch {
                outcome = .failure(error)
            }
            await pool.shutdown()
            let applied = try outcome.get()
            print(applied.isEmpty ? "schema up to date" : "applied \(applied.joined(separator: ", "))")
        } catch {
            throw try ExitStatus.reporting(error).exitCode
        }
    }
}
