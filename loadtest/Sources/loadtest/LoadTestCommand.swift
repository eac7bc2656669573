import ArgumentParser

/// `loadtest`: measures HotStock and checks its invariants under load.
@main
struct LoadTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "HotStock's load harness: benchmarks and flash-sale scenarios with invariant checks.",
        subcommands: [
            RunCommand.self, BenchCommand.self, BareHTTPCommand.self, FaultsCommand.self, CodesBenchCommand.self,
            WarmBenchCommand.self,
        ]
    )
}
