import Foundation

/// A Redis server of a test's own in a temporary folder, for tests that kill and restart
/// Redis without disturbing the shared test server. It runs the shipped configuration —
/// `ops/redis/redis.conf` (AOF, `appendfsync always`) and `ops/redis/users.acl` — so a
/// setting that loses data on restart fails the tests that restart it.
final class ScratchRedis: @unchecked Sendable {
    let port: Int
    let folder: URL
    private var process: Process?

    init() throws {
        // A port nothing listens on: the range holds other listeners too (the local
        // cluster's bus ports 27001-27006), which the start-up check would take for this
        // server.
        var port = Int.random(in: 20_000...29_999)
        while Self.canConnect(port: port) { port = Int.random(in: 20_000...29_999) }
        self.port = port
        folder = FileManager.default.temporaryDirectory.appending(path: "hotstock-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// The engine's user, as in production.
    var url: String { "redis://hotstock:hotstock-dev@127.0.0.1:\(port)/0" }

    /// The repository's `ops/redis/` folder.
    static let opsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "ops/redis")

    /// Starts the server and waits until it accepts connections.
    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = [
            Self.opsFolder.appending(path: "redis.conf").path, "--port", String(port), "--dir", folder.path,
            "--aclfile", Self.opsFolder.appending(path: "users.acl").path,
            "--logfile", folder.appending(path: "redis.log").path,
        ]
        try process.run()
        self.process = process
        for _ in 0..<100 {
            if Self.canConnect(port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "redis-server did not start"])
    }

    /// Kills the server with SIGKILL, as a crash would.
    func kill() {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Stops the server and removes its folder.
    func destroy() {
        kill()
        try? FileManager.default.removeItem(at: folder)
    }

    private static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }
}
