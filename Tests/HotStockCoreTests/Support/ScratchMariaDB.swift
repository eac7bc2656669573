import Foundation
import MariaDBClient

/// A MariaDB server of a test's own, in a temporary folder, for tests that pause or stop
/// MySQL without disturbing the shared test server.
final class ScratchMariaDB: @unchecked Sendable {
    let port: Int
    let folder: URL
    private var process: Process?

    init() throws {
        // Below Linux's ephemeral range (32768 up), where the suite's own outgoing
        // connections take ports: one of those on this port made mariadbd fail to start.
        port = Int.random(in: 30_000...32_700)
        folder = FileManager.default.temporaryDirectory.appending(path: "hotstock-mariadb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    var socket: String { folder.appending(path: "mysqld.sock").path }
    var url: String { "mysql://hotstock:scratch@127.0.0.1:\(port)/hotstock" }

    /// Initialises the data folder, starts the server, and creates the database and user.
    func start() async throws {
        try run(
            "/usr/bin/mariadb-install-db",
            [
                "--no-defaults", "--datadir=\(folder.appending(path: "data").path)", "--user=root",
                "--auth-root-authentication-method=socket",
            ]
        )
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/sbin/mariadbd")
        server.arguments = [
            "--no-defaults", "--user=root", "--datadir=\(folder.appending(path: "data").path)",
            "--port=\(port)", "--bind-address=127.0.0.1", "--socket=\(socket)", "--skip-name-resolve",
            "--innodb-buffer-pool-size=64M", "--log-error=\(folder.appending(path: "error.log").path)",
        ]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        process = server
        // InnoDB's first start takes seconds, and far longer while the whole suite runs
        // on two cores: wait up to 90 s.
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if (try? run("/usr/bin/mariadb", ["--no-defaults", "--socket=\(socket)", "-uroot", "-e", "SELECT 1"]))
                != nil
            {
                try run(
                    "/usr/bin/mariadb",
                    [
                        "--no-defaults", "--socket=\(socket)", "-uroot", "-e",
                        """
                        CREATE DATABASE IF NOT EXISTS hotstock;
                        CREATE USER IF NOT EXISTS 'hotstock'@'127.0.0.1' IDENTIFIED BY 'scratch';
                        GRANT ALL ON hotstock.* TO 'hotstock'@'127.0.0.1';
                        """,
                    ]
                )
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "mariadbd did not start"])
    }

    /// Freezes the server (SIGSTOP): connections hang as on a stalled host.
    func pause() { if let process { kill(process.processIdentifier, SIGSTOP) } }

    /// Thaws a paused server.
    func resume() { if let process { kill(process.processIdentifier, SIGCONT) } }

    /// Stops the server and removes its folder.
    func destroy() {
        if let process {
            kill(process.processIdentifier, SIGCONT)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        process = nil
        try? FileManager.default.removeItem(at: folder)
    }

    @discardableResult
    private func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: executable)
        tool.arguments = arguments
        tool.standardOutput = FileHandle.nullDevice
        tool.standardError = FileHandle.nullDevice
        try tool.run()
        tool.waitUntilExit()
        guard tool.terminationStatus == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "\(executable) failed"])
        }
        return tool.terminationStatus
    }
}
