/// The faults of one run, in the order they are injected.
struct FaultPlan {
    enum Kind: String, Codable, CaseIterable, Sendable {
        /// `kill -9` of Redis (AOF `appendfsync always`), restarted after a random pause.
        case redisKill = "redis-kill-9"
        /// `kill -9` of the `hotstock sync` process, started again.
        case syncerKill = "syncer-kill-9"
        /// `kill -9` of the `hotstock sweep` process, started again.
        case sweeperKill = "sweeper-kill-9"
        /// MariaDB frozen with SIGSTOP, then resumed with SIGCONT.
        case mariadbPause = "mariadb-sigstop"
        /// `FUNCTION FLUSH`: the engine's scripts vanish under load.
        case functionFlush = "function-flush"
        /// `hotstock serve` stopped with SIGTERM and started again.
        case serveRestart = "serve-sigterm-restart"
        /// `kill -9` of `hotstock serve` in the middle of its requests (orders of several
        /// SKUs half placed, half confirmed), started again: recovery finishes them.
        case serveKill = "serve-kill-9"
        /// On a cluster: `kill -9` of a primary; its replica is promoted, the node comes
        /// back as a replica.
        case primaryKill = "primary-kill-9"
        /// On a cluster: slots moved between primaries while the sale runs.
        case reshard = "reshard"
        /// On a cluster: a primary added, slots moved to it and back, the node removed.
        case addPrimary = "add-primary"
        /// On a cluster: a failover to a replica that missed the last second of writes.
        case lossyFailover = "lossy-failover"
    }

    var counts: [Kind: Int]

    /// The faults shuffled by `seed`, Redis kills spread over the whole run.
    func ordered(seed: UInt64) -> [Kind] {
        var random = SeededRandom(seed: seed)
        var faults = Kind.allCases.flatMap { kind in Array(repeating: kind, count: counts[kind] ?? 0) }
        faults.shuffle(using: &random)
        return faults
    }
}
