import Logging
import NIOCore
import Synchronization

/// Sends commands to the primaries of a Redis Cluster (DESIGN section 11): the slot
/// of a command's first declared key (``RedisCommand/keysAffected``) names its primary;
/// a command of no key goes to any primary.
///
/// The map comes from `CLUSTER SLOTS` and is refreshed after a `MOVED`, a `READONLY`
/// or a failed connection (one refresh at a time), and every ``refreshInterval`` in
/// the background of a request. `ASK` resends once to the importing node after
/// `ASKING`; `TRYAGAIN`, `CLUSTERDOWN`, `LOADING` and a lost node are waited out with
/// backoff within ``RedisConfiguration/commandTimeout``. Every command HotStock sends
/// is idempotent, so a resend after a lost reply is safe.
final class RedisClusterRouter: Sendable {
    /// How often the map is refreshed even when nothing moved.
    static let refreshInterval: Duration = .seconds(10)
    /// How many times one command is sent at most.
    static let maxAttempts = 24

    private let template: RedisConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger

    private struct State {
        var map: ClusterSlotMap
        /// Nodes an `ASK` named: importing slots, so primaries the map may not list yet.
        var importing: Set<RedisNodeAddress> = []
        var pools: [RedisNodeAddress: RedisNodePool] = [:]
        var refreshing: Task<Void, Never>?
        var refreshedAt: ContinuousClock.Instant
        var isShutDown = false
    }

    private let state: Mutex<State>

    /// Makes a router from the map a seed gave; `seedPool` (the pool that asked) is kept
    /// for its node.
    init(
        template: RedisConfiguration,
        map: ClusterSlotMap,
        seedPool: RedisNodePool,
        group: any EventLoopGroup,
        logger: Logger
    ) {
        self.template = template
        self.group = group
        self.logger = logger
        var initial = State(map: map, refreshedAt: .now)
        initial.pools[seedPool.address] = seedPool
        self.state = Mutex(initial)
    }

    /// Sends `command` to the primary of its keys' slot, following the cluster's
    /// redirections, and the command `follow` makes of its reply (`WAIT`) after it on the
    /// same connection.
    func send(
        _ command: RedisCommand,
        then follow: (RedisReply) -> RedisCommand? = { _ in nil }
    ) async throws(RedisError) -> (RedisReply, RedisReply?) {
        let slot = command.keysAffected.first.map(HashSlot.of)
        let clock = ContinuousClock()
        let deadline = clock.now + template.commandTimeout
        var askTarget: RedisNodeAddress?
        var movedTarget: RedisNodeAddress?
        var backoff = Duration.milliseconds(10)
        var lastError = RedisError(.connectionFailed, "no node of the cluster answered")
        refreshIfDue()
        for _ in 0..<Self.maxAttempts {
            let asking = askTarget
            let redirected = movedTarget
            askTarget = nil
            movedTarget = nil
            let pool: RedisNodePool
            do {
                pool = try node(for: slot, at: asking ?? redirected)
            } catch {
                lastError = error
                await refresh()
                if clock.now >= deadline { break }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .milliseconds(500))
                continue
            }
            do {
                return try await pool.send(command, asking: asking != nil, then: follow)
            } catch {
                lastError = error
                switch error.code {
                case .replyError:
                    switch ClusterRedirection(errorMessage: error.message) {
                    case .moved(let movedSlot, let target):
                        // Resent there (a command of no declared key has no slot to look up).
                        movedTarget = learn(slot: movedSlot, at: target, from: pool)
                        refreshSoon()
                        continue
                    case .ask(_, let target):
                        let address = resolve(target, from: pool)
                        state.withLock { _ = $0.importing.insert(address) }
                        askTarget = address
                        continue
                    case .stale:
                        await refresh()
                    case .wait:
                        break
                    case nil:
                        throw error
                    }
                case .connectionFailed, .connectionClosed, .timeout:
                    logger.debug(
                        "cluster node failed; refreshing the slot map",
                        metadata: ["node": "\(pool.address)", "error": "\(error)"]
                    )
                    await refresh()
                default:
                    throw error
                }
            }
            if clock.now >= deadline { break }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .milliseconds(500))
        }
        throw lastError
    }

    /// Every primary the map knows, each once, and the nodes importing slots (a
    /// primary just added gets the functions before its first slot arrives whole).
    func primaries() -> [RedisNodePool] {
        state.withLock { state in
            let extra = state.importing.filter { !state.map.primaries.contains($0) }.sorted {
                $0.description < $1.description
            }
            return (state.map.primaries + extra).map { pool(at: $0, in: &state) }
        }
    }

    /// The primary the map says serves `slot`.
    func primary(of slot: Int) throws(RedisError) -> RedisNodeAddress {
        guard let address = state.withLock({ $0.map.primary(of: slot) }) else {
            throw RedisError(.connectionFailed, "no primary serves slot \(slot) of the cluster")
        }
        return address
    }

    /// Asks the cluster for its map again (one request at a time; callers that come
    /// while one runs wait for it).
    func refresh() async {
        let task: Task<Void, Never> = state.withLock { state in
            if let running = state.refreshing { return running }
            let task = Task { await self.loadMap() }
            state.refreshing = task
            return task
        }
        await task.value
    }

    /// Closes every node's connections.
    func shutdown() async {
        let pools = state.withLock { state in
            state.isShutDown = true
            return Array(state.pools.values)
        }
        for pool in pools { await pool.shutdown() }
    }

    private func refreshSoon() {
        Task { await self.refresh() }
    }

    private func refreshIfDue() {
        let due = state.withLock { state in
            state.refreshing == nil && ContinuousClock.now - state.refreshedAt > Self.refreshInterval
        }
        if due { refreshSoon() }
    }

    /// The pool of `address` when given (a redirection), else of the slot's primary (any
    /// primary for a command of no key).
    private func node(for slot: Int?, at address: RedisNodeAddress?) throws(RedisError) -> RedisNodePool {
        try state.withLock { state throws(RedisError) in
            if state.isShutDown { throw RedisError(.shutDown, "the Redis pool is shut down") }
            if let address { return pool(at: address, in: &state) }
            let address = slot.flatMap { state.map.primary(of: $0) } ?? (slot == nil ? state.map.primaries.first : nil)
            guard let address else {
                throw RedisError(.connectionFailed, "no primary serves slot \(slot ?? -1) of the cluster")
            }
            return pool(at: address, in: &state)
        }
    }

    private func pool(at address: RedisNodeAddress, in state: inout State) -> RedisNodePool {
        if let pool = state.pools[address] { return pool }
        var configuration = template
        configuration.seeds = [address]
        let pool = RedisNodePool(configuration: configuration, eventLoopGroup: group, logger: logger)
        state.pools[address] = pool
        return pool
    }

    /// Records a `MOVED` slot's new primary; returns its address.
    private func learn(slot: Int, at target: RedisNodeAddress, from pool: RedisNodePool) -> RedisNodeAddress {
        let address = resolve(target, from: pool)
        state.withLock { $0.map.assign(slot...slot, to: address) }
        return address
    }

    /// A redirection's target; a node that does not know its host gives only a port,
    /// on the host of the node that answered.
    private func resolve(_ target: RedisNodeAddress, from pool: RedisNodePool) -> RedisNodeAddress {
        target.host.isEmpty ? RedisNodeAddress(host: pool.address.host, port: target.port) : target
    }

    /// Asks the known primaries, then the seeds, for `CLUSTER SLOTS`; keeps the first
    /// answer that covers every slot (while slots are unassigned, the map stays as it
    /// was and `MOVED` keeps teaching it).
    private func loadMap() async {
        let (known, isShutDown) = state.withLock { ($0.map.primaries, $0.isShutDown) }
        defer { state.withLock { $0.refreshing = nil } }
        guard !isShutDown else { return }
        var candidates = known
        for seed in template.seeds where !candidates.contains(seed) { candidates.append(seed) }
        for address in candidates {
            guard let pool = state.withLock({ state in state.isShutDown ? nil : self.pool(at: address, in: &state) })
            else { return }
            guard let reply = try? await pool.send(.clusterSlots()),
                let map = try? ClusterSlotMap(slotsReply: reply, fallbackHost: address.host)
            else { continue }
            // A node that has not joined yet (or was reset) knows no slots: ask another.
            guard map.coversEverySlot else {
                logger.debug("a node answered a slot map with gaps", metadata: ["node": "\(address)"])
                continue
            }
            state.withLock { state in
                state.map = map
                state.importing = []
                state.refreshedAt = .now
            }
            return
        }
        logger.warning("no node of the cluster answered CLUSTER SLOTS")
    }
}
