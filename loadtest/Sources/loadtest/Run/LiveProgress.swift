import Foundation
import Histogram
import Synchronization

/// A live progress line on a terminal (buyers served, requests/s, p99); silent when
/// standard error is not a terminal.
final class LiveProgress: Sendable {
    private let recorder: Recorder
    private let total: Int
    private let served = Atomic<Int>(0)
    private let enabled = isatty(STDERR_FILENO) == 1
    private let lastPrint = Mutex<Double>(0)

    init(recorder: Recorder, total: Int) {
        self.recorder = recorder
        self.total = total
    }

    func tick() {
        let done = served.add(1, ordering: .relaxed).newValue
        guard enabled else { return }
        let now = recorder.elapsed
        let due = lastPrint.withLock { last -> Bool in
            if now - last < 0.5 { return false }
            last = now
            return true
        }
        guard due else { return }
        let snapshot = recorder.snapshot
        let current = snapshot.seconds.dropLast().last
        let p99 = current.map { Double($0.latency.valueAtPercentile(99)) / 1000 } ?? 0
        let line = String(
            format: "\r%d/%d buyers  %d req/s  p99 %.2f ms   ",
            done,
            total,
            current?.operations ?? 0,
            p99
        )
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
