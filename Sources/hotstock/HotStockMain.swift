import ArgumentParser
import Foundation

/// The process entry point: runs the `hotstock` command and maps bad usage to exit
/// code 2, as DESIGN section 6 asks (ArgumentParser's own default is 64).
@main
enum HotStockMain {
    static func main() async {
        do {
            var command = try HotStockCommand.parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if HotStockCommand.exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((HotStockCommand.fullMessage(for: error) + "\n").utf8))
                exit(ExitStatus.usage.rawValue)
            }
            HotStockCommand.exit(withError: error)
        }
    }
}

/// `hotstock`: the HotStock engine and its ops commands.
struct HotStockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotstock",
        abstract: "Inventory engine for flash sales of virtual goods.",
        discussion: """
            Exit codes: 0 done; 3 refused by the rules; 2 bad usage or invalid_argument; \
            1 the infrastructure failed (Redis or MySQL unreachable).
            """,
        subcommands: [
            StockCommand.self, HoldCommand.self, SweepCommand.self, MigrateCommand.self, SyncCommand.self,
            ReconcileCommand.self, WarmCommand.self, ServeCommand.self, CodesCommand.self, OrderCommand.self,
        ]
    )
}
