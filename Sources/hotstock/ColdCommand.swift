import ArgumentParser
import Foundation
import HotStockCore
import Logging
import MariaDBClient
import RedisClient

/// Runs an ops command that needs both Redis and MySQL; infrastructure failures (bad
/// URLs included) print one line and exit 1.
enum ColdCommand {
    static func run(
        _ engine: EngineOptions,
        label: String,
        _ body: (Inventory, ColdStore, Logger) async throws -> ExitStatus
    ) async throws {
        let logger = engine.makeLogger(label: label)
        let redis: RedisConnectionPool
        let mysql: MariaDBConnectionPool
        do {
            redis = RedisConnectionPool(configuration: try engine.redisConfiguration(), logger: logger)
            mysql = MariaDBConnectionPool(configuration: try engine.mysqlConfiguration(), logger: logger)
        } catch {
            EngineCommand.printFailure("\(error)")
            throw ExitStatus.infrastructure.exitCode
        }
        let inventory = Inventory(
            redis: redis,
            configuration: engine.inventoryConfiguration(retryBudget: .seconds(5)),
            logger: logger
        )
        let cold = ColdStore(pool: mysql, logger: logger)
        let status: ExitStatus
        do {
            try await cold.ping()
            status = try await body(inventory, cold, logger)
        } catch let error as InventoryError {
            EngineCommand.printFailure("\(error.code): \(error.message)")
            status = ExitStatus(error)
        } catch let error as MariaDBError {
            EngineCommand.printFailure("\(error)")
            status = .infrastructure
        } catch let error as RedisError {
            EngineCommand.printFailure("\(error)")
            status = .infrastructure
        }
        await redis.shutdown()
        await mysql.shutdown()
        if status != .success { throw status.exitCode }
    }
}

/// A progress line on standard error while a long operation runs, only on a terminal.
struct TerminalProgress: Sendable {
    let label: String
    let enabled = isatty(STDERR_FILENO) == 1

    /// Shows `done` of `total` (`total` 0: a running count).
    func update(_ done: Int, of total: Int = 0) {
        guard enabled else { return }
        let text = total > 0 ? "\r\(label) \(done)/\(total)" : "\r\(label) \(done)"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Ends the progress line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
