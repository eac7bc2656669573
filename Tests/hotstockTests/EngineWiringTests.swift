import Foundation
import Testing

/// Every command builds its engine in one place and maps failures in one place: the
/// same misconfiguration gives the same exit status everywhere.
@Suite("One composition root for every command")
struct EngineWiringTests {
    static let commands: [[String]] = [
        ["stock", "show", "wired"], ["hold", "show", "wired", "o1"], ["hold", "place", "wired", "o1"],
        ["sweep", "--once"], ["sync", "--once"], ["reconcile"], ["warm"], ["codes", "show", "wired", "o1"],
        ["serve", "--port", "0"],
    ]

    @Test(arguments: ["redis//hotstock:secret-pass-93@127.0.0.1:16380/0", "http://x:secret-pass-93@h/0"])
    func aMalformedRedisURLExitsOneWithOneLineInEveryCommand(url: String) throws {
        for command in Self.commands {
            let run = try CommandLineTests.hotstock(
                command,
                environment: [
                    "HOTSTOCK_REDIS_URL": url, "HOTSTOCK_API_TOKEN": "api-token-wired",
                    "HOTSTOCK_ADMIN_TOKEN": "admin-token-wired",
                ],
                timeout: .seconds(20)
            )
            #expect(run.status == 1, "\(command) exited \(run.status): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(command) printed \(run.stderr)")
            #expect(!run.stderr.contains("secret-pass-93") && !run.stdout.contains("secret-pass-93"))
        }
    }
}
