import Foundation
import RedisClient

#if canImport(Glibc)
    import Glibc
#endif

/// The local Redis Cluster of a fault run (`ops/dev.sh start cluster`): its nodes are
/// known by their pid files (`<folder>/<port>/redis.pid`); the script (`ops/dev.sh`)
/// starts a killed node again (`cluster-node-start PORT`), adds a primary
/// (`cluster-node-add PORT`) and takes it out again (`cluster-node-remove PORT`); slots
/// move with `redis-cli --cluster reshard`.
struct ClusterControl {
    /// The folder of the nodes' folders (`.local/cluster`).
    let folder: String
    /// The script that starts, adds and removes nodes.
    let script: String
    /// An operator's pool on the cluster.
    let admin: RedisConnectionPool
    /// The operator's credentials, for `redis-cli` (the password goes in its environment).
    let adminConfiguration: RedisConfiguration

    /// One line of `CLUSTER NODES`.
    struct Node {
        var id: String
        var port: Int
        var isPrimary: Bool
        var isFailed: Bool
        var slots: [ClosedRange<Int>]
        /// A replica's primary.
        var primaryID: String?
    }

    /// The cluster as one of its primaries sees it.
    func nodes() async throws -> [Node] {
        let text = try await admin.send("CLUSTER", "NODES").string ?? ""
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 8, let colon = fields[1].lastIndex(of: ":") else { return nil }
            let portText = fields[1][fields[1].index(after: colon)...].prefix { $0 != "@" }
            guard let port = Int(portText) else { return nil }
            let flags = fields[2]
            let slots: [ClosedRange<Int>] = fields.dropFirst(8).compactMap { range in
                guard !range.hasPrefix("[") else { return nil }
                let bounds = range.split(separator: "-").compactMap { Int($0) }
                return bounds.count == 2 ? bounds[0]...bounds[1] : bounds.count == 1 ? bounds[0]...bounds[0] : nil
            }
            return Node(
                id: String(fields[0]),
                port: port,
                isPrimary: flags.contains("master"),
                isFailed: flags.contains("fail"),
                slots: slots,
                primaryID: fields[3] == "-" ? nil : String(fields[3])
            )
        }
    }

    /// `kill -9` of a random primary; waits until a replica serves its slots, then
    /// starts the node again (it rejoins as a replica). Answers what happened.
    func killPrimary(random: inout SeededRandom) async throws -> String {
        let primaries = try await nodes().filter { $0.isPrimary && !$0.isFailed && !$0.slots.isEmpty }
        guard let victim = primaries.randomElement(using: &random), let slot = victim.slots.first?.lowerBound else {
            throw ScenarioError("the cluster has no primary to kill")
        }
        let daemon = DaemonControl(
            name: "redis:\(victim.port)",
            pidFile: "\(folder)/\(victim.port)/redis.pid",
            restartCommand: "\(script) cluster-node-start \(victim.port)"
        )
        let clock = ContinuousClock()
        let start = clock.now
        try await daemon.killHard()
        let deadline = clock.now + .seconds(30)
        var promoted: Int?
        while clock.now < deadline, promoted == nil {
            try await Task.sleep(for: .milliseconds(50))
            let view = (try? await nodes()) ?? []
            promoted =
                view.first {
                    $0.isPrimary && !$0.isFailed && $0.port != victim.port && $0.slots.contains { $0.contains(slot) }
                }?.port
        }
        guard let promoted else { throw ScenarioError("no replica took over from \(victim.port) within 30 s") }
        let failover = clock.now - start
        try await daemon.restart()
        return
            "primary \(victim.port) killed, replica \(promoted) promoted after \(failover.inMilliseconds) ms, old primary back as a replica"
    }

    /// A failover that loses acknowledged writes, as asynchronous replication allows: a
    /// primary's replica is frozen (SIGSTOP) and cut off (the primary's `CLIENT KILL TYPE
    /// replica`: nothing more reaches it) for `stale` while the primary acknowledges
    /// changes; then the primary is killed (-9), the replica resumed and promoted by
    /// `CLUSTER FAILOVER TAKEOVER`, and the old primary rejoins as its replica. Without
    /// `--wait-replicas`, what clients saw succeed in that window is gone from Redis.
    func lossyFailover(stale: Duration, random: inout SeededRandom) async throws -> String {
        let view = try await nodes()
        let pairs = view.filter { $0.isPrimary && !$0.isFailed && !$0.slots.isEmpty }.compactMap { primary in
            view.first { $0.primaryID == primary.id && !$0.isFailed }.map { (primary, $0) }
        }
        guard let (primary, replica) = pairs.randomElement(using: &random) else {
            throw ScenarioError("no primary with a replica to fail over")
        }
        let replicaDaemon = DaemonControl(name: "redis:\(replica.port)", pidFile: "\(folder)/\(replica.port)/redis.pid")
        let primaryDaemon = DaemonControl(
            name: "redis:\(primary.port)",
            pidFile: "\(folder)/\(primary.port)/redis.pid",
            restartCommand: "\(script) cluster-node-start \(primary.port)"
        )
        try replicaDaemon.signal(SIGSTOP)
        do {
            try await redisCLI(port: primary.port, "client kill type replica", name: "cut the replica off")
            try await Task.sleep(for: stale)
            try await primaryDaemon.killHard()
        } catch {
            try? replicaDaemon.signal(SIGCONT)
            throw error
        }
        try replicaDaemon.signal(SIGCONT)
        try await redisCLI(port: replica.port, "cluster failover takeover", name: "failover takeover")
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while clock.now < deadline {
            let promoted = (try? await nodes())?.contains { $0.port == replica.port && $0.isPrimary } ?? false
            if promoted { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await primaryDaemon.restart()
        return "replica \(replica.port) frozen \(stale), primary \(primary.port) killed, the stale replica took over"
    }

    /// Moves `count` slots from a random primary to another with `redis-cli --cluster
    /// reshard` while the sale runs. Answers what happened.
    func reshard(count: Int, random: inout SeededRandom) async throws -> String {
        let primaries = try await nodes().filter { $0.isPrimary && !$0.isFailed && !$0.slots.isEmpty }
        guard primaries.count >= 2 else { throw ScenarioError("resharding needs two primaries") }
        let source = primaries.randomElement(using: &random)!
        let target = primaries.filter { $0.id != source.id }.randomElement(using: &random)!
        let clock = ContinuousClock()
        let start = clock.now
        try await move(count, from: source, to: target)
        return "\(count) slots moved from \(source.port) to \(target.port) in \((clock.now - start).inMilliseconds) ms"
    }

    /// Adds a primary on `port`, moves `count` slots of a random primary to it while the
    /// sale runs, keeps it `serving` a while, then moves them back and takes the node out.
    func addPrimary(port: Int, count: Int, serving: Duration, random: inout SeededRandom) async throws -> String {
        let clock = ContinuousClock()
        let start = clock.now
        try await ShellCommand.run("\(script) cluster-node-add \(port)", name: "add-node")
        let view = try await nodes()
        guard let added = view.first(where: { $0.port == port }),
            let source = view.filter({ $0.isPrimary && !$0.isFailed && !$0.slots.isEmpty }).randomElement(
                using: &random
            )
        else { throw ScenarioError("the added node \(port) is not in the cluster") }
        try await move(count, from: source, to: added)
        let joined = clock.now - start
        try await Task.sleep(for: serving)
        try await move(count, from: added, to: source)
        try await ShellCommand.run("\(script) cluster-node-remove \(port)", name: "del-node")
        return "primary \(port) added, \(count) slots of \(source.port) moved to it in \(joined.inMilliseconds) ms, "
            + "served \(serving), moved back and the node removed"
    }

    /// Runs `redis-cli` on the node at `port` as the operator (the password in its
    /// environment, never on its command line): one command, or a `--cluster` action.
    private func redisCLI(port: Int, _ command: String, name: String) async throws {
        try await ShellCommand.run(
            "redis-cli -p \(port) --no-auth-warning"
                + (adminConfiguration.username.map { " --user \($0)" } ?? "") + " \(command)",
            environment: adminConfiguration.password.map { ["REDISCLI_AUTH": $0] } ?? [:],
            name: name
        )
    }

    private func move(_ count: Int, from source: Node, to target: Node) async throws {
        try await redisCLI(
            port: target.port,
            "--cluster reshard 127.0.0.1:\(target.port) --cluster-from \(source.id) --cluster-to \(target.id)"
                + " --cluster-slots \(count) --cluster-yes",
            name: "reshard"
        )
    }
}
