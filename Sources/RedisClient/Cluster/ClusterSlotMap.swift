/// Which primary serves each of a cluster's 16,384 slots, as `CLUSTER SLOTS` told.
struct ClusterSlotMap: Sendable {
    /// The primaries, in the order `CLUSTER SLOTS` named them.
    private(set) var primaries: [RedisNodeAddress] = []
    /// For each slot, its primary's index in ``primaries``; -1 while no node serves it.
    private var owners = [Int16](repeating: -1, count: HashSlot.count)

    /// An empty map: no slot has a node.
    init() {}

    /// Reads a `CLUSTER SLOTS` reply: entries of `start, end, [host, port, id, ...],
    /// replicas...`. A primary that reports no host (`""` or `?`) is at `fallbackHost`,
    /// the host the reply came from.
    init(slotsReply reply: RedisReply, fallbackHost: String) throws(RedisError) {
        guard let ranges = reply.array else {
            throw RedisError(.unexpectedReply, "CLUSTER SLOTS answered \(reply)")
        }
        for range in ranges {
            guard let fields = range.array, fields.count >= 3, let start = fields[0].int, let end = fields[1].int,
                let node = fields[2].array, node.count >= 2, let port = node[1].int,
                (0..<Int64(HashSlot.count)).contains(start), (start..<Int64(HashSlot.count)).contains(end)
            else {
                throw RedisError(.unexpectedReply, "CLUSTER SLOTS answered an entry \(range)")
            }
            var host = node[0].string ?? ""
            if host.isEmpty || host == "?" { host = fallbackHost }
            assign(Int(start)...Int(end), to: RedisNodeAddress(host: host, port: Int(port)))
        }
    }

    /// Whether every slot has a primary.
    var coversEverySlot: Bool { !owners.contains(-1) }

    /// The primary serving `slot`, if the map knows one.
    func primary(of slot: Int) -> RedisNodeAddress? {
        let owner = owners[slot]
        return owner < 0 ? nil : primaries[Int(owner)]
    }

    /// Records that `slots` are served by `node` (from a `MOVED` redirection).
    mutating func assign(_ slots: ClosedRange<Int>, to node: RedisNodeAddress) {
        let index: Int
        if let known = primaries.firstIndex(of: node) {
            index = known
        } else {
            index = primaries.count
            primaries.append(node)
        }
        for slot in slots { owners[slot] = Int16(index) }
    }
}

/// What a cluster node's error reply asks of the client.
enum ClusterRedirection: Equatable {
    /// `MOVED slot host:port`: the slot lives there now; refresh the map and resend.
    case moved(slot: Int, to: RedisNodeAddress)
    /// `ASK slot host:port`: the slot is migrating; resend there once, after `ASKING`.
    case ask(slot: Int, to: RedisNodeAddress)
    /// `TRYAGAIN`, `CLUSTERDOWN`, `LOADING`, `MASTERDOWN`: wait, then resend.
    case wait
    /// `READONLY`: the node is a replica now (a failover): refresh the map and resend.
    case stale

    /// Reads an error reply's message; `nil` when it is not about the cluster.
    init?(errorMessage message: String) {
        let words = message.split(separator: " ", maxSplits: 3)
        switch words.first {
        case "MOVED", "ASK":
            guard words.count >= 3, let slot = Int(words[1]), (0..<HashSlot.count).contains(slot),
                let node = RedisNodeAddress(endpoint: words[2])
            else { return nil }
            self = words[0] == "MOVED" ? .moved(slot: slot, to: node) : .ask(slot: slot, to: node)
        case "TRYAGAIN", "CLUSTERDOWN", "LOADING", "MASTERDOWN":
            self = .wait
        case "READONLY":
            self = .stale
        default:
            return nil
        }
    }
}
