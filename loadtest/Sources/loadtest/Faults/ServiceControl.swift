import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A daemon of the local setup (Redis, MariaDB) known by its pid file: signalled, killed
/// and restarted the way an operator or a crash would.
struct DaemonControl {
    let name: String
    let pidFile: String
    /// A shell command that starts the daemon again after a kill (`ops/dev.sh start-redis test`).
    var restartCommand: String?

    /// The daemon's pid, read from its pid file.
    func pid() throws -> pid_t {
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        guard let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 else {
            throw ScenarioError("\(name): no pid in \(pidFile)")
        }
        return pid
    }

    /// Sends `signal` to the daemon.
    func signal(_ signal: Int32) throws {
        let pid = try pid()
        guard kill(pid, signal) == 0 else {
            throw ScenarioError("\(name): kill(\(pid), \(signal)) failed: errno \(errno)")
        }
    }

    /// `kill -9`, then waits until the process is gone (a zombie counts as gone).
    func killHard() async throws {
        let pid = try pid()
        guard kill(pid, SIGKILL) == 0 else { throw ScenarioError("\(name): kill -9 \(pid) failed: errno \(errno)") }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if !Self.isAlive(pid) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ScenarioError("\(name): pid \(pid) still alive 10 s after kill -9")
    }

    /// Runs the restart command; it must exit 0.
    func restart() async throws {
        guard let restartCommand else { throw ScenarioError("\(name): no restart command") }
        try await ShellCommand.run(restartCommand, name: name)
    }

    /// Whether `pid` runs (a zombie, which init has not reaped yet, does not).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z" && state != "X"
    }
}

/// A shell command of a fault run (a restart, a reshard), its output discarded.
enum ShellCommand {
    /// Runs `command` with `/bin/sh -c` and this process's environment plus
    /// `environment`; it must exit 0. (Spawned and reaped here rather than with
    /// Foundation's `Process`, which does not see the shell exit while a daemon it
    /// started still holds the descriptors it inherited.)
    static func run(_ command: String, environment: [String: String] = [:], name: String) async throws {
        let words = ["/bin/sh", "-c", command + " >/dev/null 2>&1"]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { (word: String) in strdup(word) }
        defer { arguments.forEach { free($0) } }
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        let variables: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") }
        defer { variables.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, arguments + [nil], variables + [nil])
        guard spawned == 0 else { throw ScenarioError("\(name): cannot run `\(command)`: errno \(spawned)") }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            guard reaped == 0 else { throw ScenarioError("\(name): waitpid failed: errno \(errno)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Exited normally (low 7 bits 0) with status 0.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw ScenarioError("\(name): `\(command)` failed (wait status \(status))")
        }
    }
}

/// A `hotstock` child process of a fault run (`serve`, `sync`, `sweep`), its output
/// appended to a log file of its own.
final class HotStockProcess {
    let name: String
    let binary: URL
    let arguments: [String]
    let environment: [String: String]
    let log: URL
    private var process: Process?

    init(name: String, binary: URL, arguments: [String], environment: [String: String], log: URL) {
        self.name = name
        self.binary = binary
        self.arguments = arguments
        self.environment = environment
        self.log = log
    }

    /// Starts the process (again).
    func start() throws {
        if !FileManager.default.fileExists(atPath: log.path) {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let output = try FileHandle(forWritingTo: log)
        output.seekToEndOfFile()
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try output.close()
        self.process = process
    }

    var isRunning: Bool { process?.isRunning ?? false }

    /// `kill -9`: no shutdown, no flush, as a crash.
    func killHard() async throws {
        guard let process, process.isRunning else { throw ScenarioError("\(name) is not running") }
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
    }

    /// SIGTERM, then waits for the exit; returns the exit status (a signal is an error).
    func terminate(within limit: Duration = .seconds(30)) async throws -> Int32 {
        guard let process, process.isRunning else { throw ScenarioError("\(name) is not running") }
        process.terminate()
        let deadline = ContinuousClock.now + limit
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                kill(process.processIdentifier, SIGKILL)
                throw ScenarioError("\(name) did not stop within \(limit) of SIGTERM")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        guard process.terminationReason == .exit else {
            throw ScenarioError("\(name) died of signal \(process.terminationStatus) after SIGTERM")
        }
        return process.terminationStatus
    }
}
