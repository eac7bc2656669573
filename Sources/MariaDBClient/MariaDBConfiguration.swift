import ConnectionURL
import Foundation

/// Where and how to reach MariaDB/MySQL. Built from
/// `mysql://user:pass@host:port/db[?socket=/path/to/mysqld.sock]`; `description` never
/// shows the password.
public struct MariaDBConfiguration: Sendable, CustomStringConvertible {
    /// Host name or IP address (ignored when `socket` is set).
    public var host: String
    /// TCP port.
    public var port: Int
    /// A unix socket to connect through instead of TCP.
    public var socket: String?
    /// User name.
    public var username: String
    /// Password; `nil` sends none.
    public var password: String?
    /// The database (schema) to use.
    public var database: String
    /// How long to wait for a connection.
    public var connectTimeoutSeconds: UInt32
    /// How long a read or write on the socket may take before the connection is lost.
    public var ioTimeoutSeconds: UInt32
    /// How many connections the pool keeps (each has a thread of its own).
    public var poolSize: Int

    /// Makes a configuration.
    public init(
        host: String = "127.0.0.1",
        port: Int = 3306,
        socket: String? = nil,
        username: String,
        password: String? = nil,
        database: String,
        connectTimeoutSeconds: UInt32 = 3,
        ioTimeoutSeconds: UInt32 = 30,
        poolSize: Int = 2
    ) {
        self.host = host
        self.port = port
        self.socket = socket
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.ioTimeoutSeconds = ioTimeoutSeconds
        self.poolSize = poolSize
    }

    /// Parses `mysql://user[:password]@host[:port]/database[?socket=PATH]`. The error
    /// message never repeats the password.
    public init(url: String) throws(MariaDBError) {
        let shown = URLRedaction.redact(url)
        guard let components = URLComponents(string: url),
            components.scheme == "mysql" || components.scheme == "mariadb"
        else {
            throw MariaDBError(.invalidURL, "expected mysql://user:pass@host:port/database, got \(shown)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw MariaDBError(.invalidURL, "\(shown) names no user")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw MariaDBError(.invalidURL, "\(shown) names no database (mysql://user:pass@host:port/database)")
        }
        let socket = components.queryItems?.first { $0.name == "socket" }?.value
        guard let host = components.host, !host.isEmpty || socket != nil else {
            throw MariaDBError(.invalidURL, "\(shown) names no host")
        }
        self.init(
            host: host.isEmpty ? "localhost" : host,
            port: components.port ?? 3306,
            socket: socket,
            username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database
        )
    }

    public var description: String {
        let credentials = username + (password == nil ? "" : ":***")
        let place = socket.map { "localhost/\(database)?socket=\($0)" } ?? "\(host):\(port)/\(database)"
        return "mysql://\(credentials)@\(place)"
    }
}
