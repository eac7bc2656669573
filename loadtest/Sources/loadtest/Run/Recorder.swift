import Histogram
import Synchronization

/// Records every request of a run: latency by operation (HdrHistogram, microseconds),
/// outcomes by operation and code, and a per-second timeline.
final class Recorder: Sendable {
    struct Second: Sendable {
        var operations = 0
        var latency = Histogram<UInt64>(
            highestTrackableValue: Recorder.longestLatencyMicros,
            numberOfSignificantValueDigits: .three
        )
    }

    struct State: Sendable {
        var latency: [String: Histogram<UInt64>] = [:]
        var outcomes: [String: [String: Int]] = [:]
        var seconds: [Second] = []
    }

    /// The longest latency a histogram keeps (an hour): an overloaded open-loop run,
    /// measured from the scheduled sends, must not lose its worst answers.
    static let longestLatencyMicros: UInt64 = 3_600_000_000

    private let state = Mutex(State())
    private let clock = ContinuousClock()
    let started: ContinuousClock.Instant

    init() { started = clock.now }

    /// Time since the run started, in seconds.
    var elapsed: Double { (clock.now - started).inSeconds }

    /// Times `body` and records it under `operation`: from its start, or from
    /// `scheduledAt` when an open-loop run scheduled it (so waiting for a free connection
    /// counts, as it does for a real client: coordinated omission corrected).
    func measure(
        _ operation: String,
        scheduledAt: ContinuousClock.Instant? = nil,
        _ body: () async -> DriverOutcome
    ) async -> DriverOutcome {
        let begin = scheduledAt ?? clock.now
        let outcome = await body()
        let end = clock.now
        let micros = UInt64(
            max(
                1,
                (end - begin).components.attoseconds / 1_000_000_000_000 + (end - begin).components.seconds * 1_000_000
            )
        )
        let second = Int((end - started).inSeconds)
        state.withLock { state in
            state.latency[
                operation,
                default: Histogram(
                    highestTrackableValue: Recorder.longestLatencyMicros,
                    numberOfSignificantValueDigits: .three
                )
            ]
            .record(micros)
            state.outcomes[operation, default: [:]][outcome.code, default: 0] += 1
            while state.seconds.count <= second { state.seconds.append(Second()) }
            state.seconds[second].operations += 1
            _ = state.seconds[second].latency.record(micros)
        }
        return outcome
    }

    /// A copy of everything recorded.
    var snapshot: State { state.withLock { $0 } }

}
