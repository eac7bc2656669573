import ArgumentParser
import Hummingbird

/// `loadtest bare-http`: a Hummingbird server with one bare route (`GET /bare`), the
/// reference that HotStock's HTTP holds are measured against with `wrk` in the same run.
struct BareHTTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bare-http",
        abstract: "Serve a bare Hummingbird route (GET /bare) as the HTTP baseline for wrk."
    )

    @Option(help: "Port to listen on.") var port = 8099

    func run() async throws {
        let router = Router()
        router.get("/bare") { _, _ in "ok" }
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "bare")
        )
        try await application.runService()
    }
}
