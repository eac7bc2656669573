import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program to its end with `posix_spawn`, its stdout and stderr read through
/// pipes. The command-line tests start hundreds of processes from a test process holding
/// well over a thousand sockets; Foundation's `Process.run()` on Linux scans
/// `/proc/self/fd` with a read past glibc's buffer that crashes now and then in exactly
/// that case (swift-corelibs-foundation PR #5472, not in Swift 6.3.1).
enum SpawnedProcess {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: Data
        /// `false` when a signal ended the process (`status` is then the signal).
        var exitedNormally: Bool
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `path` with `arguments` and exactly `environment`; a run longer than
    /// `timeout` is sent SIGTERM, so a test fails instead of hanging.
    static func run(
        _ path: String,
        _ arguments: [String],
        environment: [String: String],
        timeout: Duration? = nil
    ) throws -> Result {
        var out: [Int32] = [0, 0]
        var err: [Int32] = [0, 0]
        guard pipe(&out) == 0, pipe(&err) == 0 else { throw Failure(description: "pipe failed: errno \(errno)") }
        // Close-on-exec (pipe2 is not in Swift's Glibc): a process another test spawns in
        // between inherits them at worst until it ends, which only delays this read.
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        close(out[1])
        close(err[1])
        guard spawned == 0 else {
            close(out[0])
            close(err[0])
            throw Failure(description: "posix_spawn \(path) failed: \(spawned)")
        }
        let finished = FinishedFlag()
        if let timeout {
            let child = pid
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(timeout.components.seconds))) {
                if !finished.isSet { kill(child, SIGTERM) }
            }
        }
        // Both pipes are drained at once: a child that fills one while the other is read
        // would block forever.
        let stderrBox = DataBox()
        let stderrDone = DispatchSemaphore(value: 0)
        let stderrFD = err[0]
        Thread.detachNewThread {
            stderrBox.data = readAll(stderrFD)
            stderrDone.signal()
        }
        let stdout = readAll(out[0])
        stderrDone.wait()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        finished.set()
        let signal = status & 0x7f
        return Result(
            status: signal == 0 ? (status >> 8) & 0xff : signal,
            stdout: stdout,
            stderr: stderrBox.data,
            exitedNormally: signal == 0
        )
    }

    /// Reads `fd` to its end and closes it.
    private static func readAll(_ fd: Int32) -> Data {
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
            } else if count == 0 || errno != EINTR {
                return data
            }
        }
    }
}

/// Carries a pipe's bytes from the thread that read them.
final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// Set once a spawned process was reaped, so a late timeout does not signal its pid.
private final class FinishedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    func set() { lock.withLock { value = true } }
}
