import ConnectionURL
import Foundation

/// Where and how to reach Redis. Built from a `redis://user:pass@host:port/db` URL or
/// field by field; `description` never shows the password.
///
/// A URL may list several seed nodes (`redis://user:pass@h1:p1,h2:p2,h3:p3/0`): the
/// pool asks the first that answers whether it is a Redis Cluster and, if so, learns
/// every node from it (DESIGN section 11). One seed serves a single Redis or a cluster.
public struct RedisConfiguration: Sendable, CustomStringConvertible {
    /// Host name or IP address of the node to connect to (the first seed).
    public var host: String
    /// TCP port of the node to connect to.
    public var port: Int
    /// Every seed node of the URL, the first being ``host``:``port``; more than one only
    /// for a cluster.
    public var seeds: [RedisNodeAddress] {
        get { [RedisNodeAddress(host: host, port: port)] + otherSeeds }
        set {
            precondition(!newValue.isEmpty, "a Redis configuration needs a node")
            host = newValue[0].host
            port = newValue[0].port
            otherSeeds = Array(newValue.dropFirst())
        }
    }
    private var otherSeeds: [RedisNodeAddress] = []
    /// ACL user name; `nil` authenticates with the password alone (or not at all).
    public var username: String?
    /// Password for `AUTH`; `nil` skips authentication.
    public var password: String?
    /// Logical database chosen with `SELECT`.
    public var database: Int
    /// How long to wait for a TCP connection and the handshake.
    public var connectTimeout: Duration
    /// How long a request may wait for its reply before the connection is closed.
    public var commandTimeout: Duration
    /// How many connections the pool keeps; requests are pipelined on each.
    public var poolSize: Int

    /// Makes a configuration with defaults for everything but the address.
    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(5),
        poolSize: Int = 4
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.poolSize = poolSize
    }

    /// `AUTH [user] password` as the configuration asks; `nil` without a password.
    var authCommand: RedisCommand? {
        password.map { password in RedisCommand("AUTH", username.map { [$0, password] } ?? [password]) }
    }

    /// Parses `redis://[user[:password]@]host[:port][,host[:port]...][/db]`.
    /// Percent-escapes in the user and password are decoded. The error message never
    /// repeats the password.
    public init(url: String) throws(RedisError) {
        let (singleNodeURL, otherSeeds) = try Self.splitSeeds(url)
        guard let components = URLComponents(string: singleNodeURL), components.scheme == "redis",
            let host = components.host, !host.isEmpty
        else {
            throw RedisError(
                .invalidURL,
                "expected redis://user:pass@host:port/db, got \(URLRedaction.redact(url))"
            )
        }
        self.init(host: host, port: components.port ?? 6379)
        self.otherSeeds = otherSeeds
        if let user = components.user, !user.isEmpty {
            username = user.removingPercentEncoding ?? user
        }
        if let password = components.password {
            self.password = password.removingPercentEncoding ?? password
        }
        let path = components.path.drop { $0 == "/" }
        if !path.isEmpty {
            guard let database = Int(path), database >= 0 else {
                throw RedisError(.invalidURL, "the database in \(URLRedaction.redact(url)) is not a number")
            }
            self.database = database
        }
    }

    /// The URL with its first seed only, and the other seeds parsed from the host list.
    private static func splitSeeds(_ url: String) throws(RedisError) -> (String, [RedisNodeAddress]) {
        guard let schemeEnd = url.range(of: "://") else { return (url, []) }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let hostsStart = authority.lastIndex(of: "@").map { authority.index(after: $0) } ?? authority.startIndex
        let hosts = authority[hostsStart...].split(separator: ",", omittingEmptySubsequences: false)
        guard hosts.count > 1 else { return (url, []) }
        var seeds: [RedisNodeAddress] = []
        for host in hosts.dropFirst() {
            guard let seed = RedisNodeAddress(endpoint: host.contains(":") ? host : host + ":6379"), !seed.host.isEmpty
            else {
                throw RedisError(.invalidURL, "bad seed node \"\(host)\" in \(URLRedaction.redact(url))")
            }
            seeds.append(seed)
        }
        return (String(url[..<hostsStart] + hosts[0] + rest[authorityEnd...]), seeds)
    }

    public var description: String {
        let user = username.map { "\($0)\(password == nil ? "" : ":***")@" } ?? (password == nil ? "" : ":***@")
        return "redis://\(user)\(seeds.map(\.description).joined(separator: ","))/\(database)"
    }
}
