import Synchronization

/// Every request attempt of a fault run, by tenth of a second: how many were sent and how
/// many failed for the engine's sake (unreachable, 503, connection lost). The error rate
/// of an outage is read from the tenths it spans.
final class AttemptLog: Sendable {
    struct Tenth: Sendable {
        var attempts = 0
        var failed = 0
    }

    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private let tenths = Mutex<[Tenth]>([])

    init() { started = clock.now }

    /// Seconds since the log started.
    var elapsed: Double {
        (clock.now - started).inSeconds
    }

    func record(failed: Bool) {
        let index = Int(elapsed * 10)
        tenths.withLock { tenths in
            while tenths.count <= index { tenths.append(Tenth()) }
            tenths[index].attempts += 1
            if failed { tenths[index].failed += 1 }
        }
    }

    /// Attempts and failures between two moments (seconds since the start).
    func window(from start: Double, to end: Double) -> Tenth {
        tenths.withLock { tenths in
            var total = Tenth()
            let first = max(0, Int(start * 10))
            let last = min(tenths.count - 1, Int(end * 10))
            guard first <= last else { return total }
            for tenth in tenths[first...last] {
                total.attempts += tenth.attempts
                total.failed += tenth.failed
            }
            return total
        }
    }

    /// Failed attempts in no one of `windows` (seconds since the start; overlapping
    /// windows count their tenths once).
    func failed(outside windows: [(from: Double, to: Double)]) -> Int {
        tenths.withLock { tenths in
            var covered = Set<Int>()
            for window in windows where window.to >= window.from {
                covered.formUnion(max(0, Int(window.from * 10))...Int(window.to * 10))
            }
            return tenths.indices.filter { !covered.contains($0) }.reduce(0) { $0 + tenths[$1].failed }
        }
    }

    /// Every attempt and failure of the run.
    var total: Tenth {
        tenths.withLock { tenths in
            tenths.reduce(into: Tenth()) { total, tenth in
                total.attempts += tenth.attempts
                total.failed += tenth.failed
            }
        }
    }
}
