import Synchronization

/// Token buckets keyed by client (a bearer token, a buyer): `rate` requests per second
/// with bursts up to `burst`. One scalper's flood empties only its own bucket.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let rate: Double
    private let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    private let clock = ContinuousClock()
    private static let maxKeys = 100_000

    /// A limiter allowing `rate` requests per second per key, `burst` at once.
    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// Takes one token for `key`; `nil` when allowed, else the seconds to wait (≥ 1).
    func take(_ key: String) -> Int64? {
        let now = clock.now
        return buckets.withLock { buckets in
            if buckets.count >= Self.maxKeys { forgetIdle(&buckets, now: now) }
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + seconds * rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int64(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }

    /// Drops buckets that have refilled completely: they hold no information.
    private func forgetIdle(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant) {
        let full = Duration.milliseconds(Int64(burst / rate * 1000) + 1)
        buckets = buckets.filter { now - $0.value.updated < full }
    }
}
