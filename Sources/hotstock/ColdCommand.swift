import ArgumentParser
import Foundation
import HotStockCore
import Logging
import MariaDBClient
import RedisClient

/// Runs an ops command that needs both Redis and MySQL (``EngineCommand`` with cold
/// stock): MySQL is pinged first, and every failure maps to its exit status.
enum ColdCommand {
    static func run(
        _ options: EngineOptions,
        label: String,
        _ body: (Inventory, ColdStore, Logger) async throws -> ExitStatus
    ) async throws {
        try await EngineCommand.run(options, label: label, retryBudget: .seconds(5), cold: true) { engine in
            guard let cold = engine.cold else { preconditionFailure("an engine built with cold stock has it") }
            try await cold.ping()
            return try await body(engine.inventory, cold, engine.logger)
        }
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
