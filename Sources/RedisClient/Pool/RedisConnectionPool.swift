import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The process's way to Redis: a single Redis or a Redis Cluster, found out by itself.
///
/// On first use the pool asks the first seed of its configuration that answers for
/// `CLUSTER SLOTS`. A Redis without cluster support answers an error: from then on every
/// command goes to that node, on a fixed number of pipelined connections. A cluster
/// answers its slot map: from then on each command goes to the primary of its keys'
/// slot, through a pool per primary (``RedisClusterRouter``). Callers see no
/// difference, which is why commands declare their keys.
public final class RedisConnectionPool: Sendable {
    /// The configuration the pool connects with.
    public let configuration: RedisConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger

    private enum Topology {
        case unknown
        /// The seeds are being asked; the task answers what they said.
        case finding(Task<Result<Found, RedisError>, Never>)
        case found(Found)
        case shutDown
    }

    private enum Found {
        case single(RedisNodePool)
        case cluster(RedisClusterRouter)

        func shutdown() async {
            switch self {
            case .single(let node): await node.shutdown()
            case .cluster(let router): await router.shutdown()
            }
        }
    }

    private let topology = Mutex<Topology>(.unknown)

    /// Makes a pool; nothing connects until the first request.
    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.logger = logger
    }

    /// Whether the pool found a cluster (`nil` until it asked).
    public var isCluster: Bool? {
        topology.withLock { topology in
            switch topology {
            case .found(.cluster): true
            case .found(.single): false
            default: nil
            }
        }
    }

    /// Sends one command to the node its keys live on and returns its reply. Error
    /// replies are thrown as ``RedisError/Code/replyError``.
    public func send(_ command: RedisCommand) async throws(RedisError) -> RedisReply {
        switch try await resolved() {
        case .single(let node): try await node.send(command)
        case .cluster(let router): try await router.send(command).0
        }
    }

    /// Sends a command that may change state and answers once `replicas` replicas of
    /// its node took what it wrote: when `wrote` says the reply is of a call that wrote,
    /// `WAIT replicas timeout` follows on the same connection (a refusal that wrote
    /// nothing waits for nothing, and holds no connection up). Throws
    /// ``RedisError/Code/notReplicated`` (the command did run) when fewer took it within
    /// `timeoutMs`. With 0 replicas it is ``send(_:)``.
    public func send(
        _ command: RedisCommand,
        waitingForReplicas replicas: Int,
        timeoutMs: Int,
        wrote: @escaping (RedisReply) -> Bool = { _ in true }
    ) async throws(RedisError) -> RedisReply {
        guard replicas > 0 else { return try await send(command) }
        let wait = RedisCommand.wait(replicas: replicas, timeoutMs: timeoutMs)
        let follow = { (reply: RedisReply) -> RedisCommand? in wrote(reply) ? wait : nil }
        let (reply, acknowledged) =
            switch try await resolved() {
            case .single(let node): try await node.send(command, asking: false, then: follow)
            case .cluster(let router): try await router.send(command, then: follow)
            }
        guard let acknowledged else { return reply }
        let count = acknowledged.int ?? 0
        guard count >= replicas else {
            throw RedisError(.notReplicated, "\(count) of \(replicas) replicas took the change within \(timeoutMs) ms")
        }
        return reply
    }

    /// Sends one command made of `name` and `arguments`, declaring no keys: for tools,
    /// tests and commands of no key (on a cluster: to any primary). The engine sends the
    /// typed commands of `Commands/`.
    public func send(_ name: String, _ arguments: String...) async throws(RedisError) -> RedisReply {
        try await send(RedisCommand(name, arguments))
    }

    /// Every primary: the one node of a single Redis, each primary of a cluster (for
    /// `SCAN`, `FUNCTION LOAD` and other work that is per node).
    public func primaries() async throws(RedisError) -> [RedisNode] {
        switch try await resolved() {
        case .single(let node): [RedisNode(pool: node)]
        case .cluster(let router): router.primaries().map(RedisNode.init(pool:))
        }
    }

    /// The node that serves `key`: the one node of a single Redis, the primary of the
    /// key's slot on a cluster (as the slot map says; `refreshingMap` asks the cluster
    /// for its map first, after a node answered that it does not serve the slot). For
    /// what must go to a key's node outside a command, such as a shard channel's
    /// subscription.
    public func node(serving key: String, refreshingMap: Bool = false) async throws(RedisError) -> RedisNodeAddress {
        switch try await resolved() {
        case .single(let node): return node.address
        case .cluster(let router):
            if refreshingMap { await router.refresh() }
            return try router.primary(of: HashSlot.of(key))
        }
    }

    /// Sends `command` to every primary; answers their replies in the order of
    /// ``primaries()``. Throws the first failure after every node was asked.
    public func sendToEveryPrimary(_ command: RedisCommand) async throws(RedisError) -> [RedisReply] {
        var replies: [RedisReply] = []
        var failure: RedisError?
        for node in try await primaries() {
            do {
                replies.append(try await node.send(command))
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return replies
    }

    /// Closes every connection; later requests fail with `shutDown`.
    public func shutdown() async {
        let previous: Topology = topology.withLock { topology in
            defer { topology = .shutDown }
            return topology
        }
        switch previous {
        case .found(let found): await found.shutdown()
        case .finding(let task):
            // `find()` sees `.shutDown` and closes what it found.
            _ = await task.value
        case .unknown, .shutDown: break
        }
    }

    /// The topology, asking the seeds first when it is not known yet; callers that come
    /// while the seeds are asked share that one answer.
    private func resolved() async throws(RedisError) -> Found {
        enum Step {
            case known(Result<Found, RedisError>)
            case asking(Task<Result<Found, RedisError>, Never>)
        }
        let step: Step = topology.withLock { topology in
            switch topology {
            case .found(let found): return .known(.success(found))
            case .finding(let task): return .asking(task)
            case .shutDown: return .known(.failure(RedisError(.shutDown, "the Redis pool is shut down")))
            case .unknown:
                let task = Task { await self.find() }
                topology = .finding(task)
                return .asking(task)
            }
        }
        switch step {
        case .known(let result): return try result.get()
        case .asking(let task): return try await task.value.get()
        }
    }

    /// Asks each seed in turn for `CLUSTER SLOTS`; sets the topology (back to unknown
    /// when no seed answered, so the next request asks again) and answers it.
    private func find() async -> Result<Found, RedisError> {
        var failure = RedisError(.connectionFailed, "no Redis seed answered (\(configuration))")
        for seed in configuration.seeds {
            var nodeConfiguration = configuration
            nodeConfiguration.seeds = [seed]
            let node = RedisNodePool(configuration: nodeConfiguration, eventLoopGroup: group, logger: logger)
            let found: Found
            do {
                let reply = try await node.send(.clusterSlots())
                let map = try ClusterSlotMap(slotsReply: reply, fallbackHost: seed.host)
                let router = RedisClusterRouter(
                    template: configuration,
                    map: map,
                    seedPool: node,
                    group: group,
                    logger: logger
                )
                logger.info("Redis is a cluster", metadata: ["primaries": "\(map.primaries.count)"])
                found = .cluster(router)
            } catch  where error.code == .replyError && Self.meansSingleRedis(error.message) {
                found = .single(node)
            } catch {
                failure = error
                await node.shutdown()
                continue
            }
            let kept = topology.withLock { topology -> Bool in
                guard case .finding = topology else { return false }
                topology = .found(found)
                return true
            }
            guard kept else {
                await found.shutdown()
                return .failure(RedisError(.shutDown, "the Redis pool is shut down"))
            }
            return .success(found)
        }
        topology.withLock { topology in
            if case .finding = topology { topology = .unknown }
        }
        return .failure(failure)
    }
}

extension RedisConnectionPool {
    /// Whether a seed's error reply to `CLUSTER SLOTS` means a single Redis: cluster
    /// support disabled, or a user not allowed `CLUSTER` (an ACL file from before cluster
    /// support; such a user cannot use a cluster either). A Redis busy or loading is a
    /// seed that did not answer yet, not a single Redis.
    static func meansSingleRedis(_ message: String) -> Bool {
        message.contains("cluster support disabled") || message.hasPrefix("NOPERM")
            || message.hasPrefix("ERR unknown command")
    }
}

/// One primary of ``RedisConnectionPool/primaries()``: a single Redis, or one primary of
/// a cluster.
public struct RedisNode: Sendable {
    fileprivate let pool: RedisNodePool

    /// Where the node listens.
    public var address: RedisNodeAddress { pool.address }

    /// Sends one command to this node, whatever its keys.
    public func send(_ command: RedisCommand) async throws(RedisError) -> RedisReply {
        try await pool.send(command)
    }
}
