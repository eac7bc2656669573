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
        let pool: MariaDBConnectionPool
        do {
            pool = MariaDBConnectionPool(configuration: try engine.mysqlConfiguration(), logger: logger)
        } catch {
            EngineCommand.printFailure("\(error)")
            throw ExitStatus.infrastructure.exitCode
        }
        do {
            let applied = try await ColdStore(pool: pool, logger: logger).migrate()
            print(applied.isEmpty ? "schema up to date" : "applied \(applied.joined(separator: ", "))")
            await pool.shutdown()
        } catch {
            await pool.shutdown()
            EngineCommand.printFailure("\(error)")
            throw ExitStatus.infrastructure.exitCode
        }
    }
}
