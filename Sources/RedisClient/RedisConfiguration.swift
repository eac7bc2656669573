import ConnectionURL
import Foundation

/// Where and how to reach Redis. Built from a `redis://user:pass@host:port/db` URL or
/// field by field; `description` never shows the password.
public struct RedisConfiguration: Sendable, CustomStringConvertible {
    /// Host name or IP address.
    public var host: String
    /// TCP port.
    public var port: Int
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

    /// Parses `redis://[user[:password]@]host[:port][/db]`. Percent-escapes in the user
    /// and password are decoded. The error message never repeats the password.
    public init(url: String) throws(RedisError) {
        guard let components = URLComponents(string: url), components.scheme == "redis",
            let host = components.host, !host.isEmpty
        else {
            throw RedisError(
                .invalidURL,
                "expected redis://user:pass@host:port/db, got \(URLRedaction.redact(url))"
            )
        }
        self.init(host: host, port: components.port ?? 6379)
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

    public var description: String {
        let user = username.map { "\($0)\(password == nil ? "" : ":***")@" } ?? (password == nil ? "" : ":***@")
        return "redis://\(user)\(host):\(port)/\(database)"
    }
}
