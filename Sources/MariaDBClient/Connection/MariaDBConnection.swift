import CMariaDB
import NIOCore

/// One connection to MariaDB/MySQL through Connector/C.
///
/// Connector/C blocks, so the connection is an actor whose executor is a thread of its
/// own (an event loop of a group that does nothing else): its blocking calls never run
/// on Swift's cooperative pool. Statements are prepared once per connection and reused;
/// every value is bound as a parameter, never spliced into SQL.
public actor MariaDBConnection {
    private let loop: any EventLoop
    private let handle: Handle
    private var connection: UnsafeMutablePointer<MYSQL> { handle.pointer }
    private var statements: [String: PreparedStatement] = [:]
    /// Set once the server went away; the pool then replaces the connection.
    public private(set) var isBroken = false

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        loop.executor.asUnownedSerialExecutor()
    }

    private static let libraryReady: Bool = hotstock_mysql_library_init() == 0

    /// Owns the `MYSQL` handle; closes it if the connection was never closed explicitly.
    private final class Handle {
        let pointer: UnsafeMutablePointer<MYSQL>
        var isClosed = false
        init(_ pointer: UnsafeMutablePointer<MYSQL>) { self.pointer = pointer }
        deinit { if !isClosed { mysql_close(pointer) } }
    }

    private init(loop: any EventLoop, connection: UnsafeMutablePointer<MYSQL>) {
        self.loop = loop
        self.handle = Handle(connection)
    }

    /// Closes the connection on its own thread; later calls fail.
    public func close() {
        guard !handle.isClosed else { return }
        statements.removeAll()
        handle.isClosed = true
        isBroken = true
        mysql_close(handle.pointer)
    }

    /// Connects on `loop`'s thread, which then runs every call of the connection.
    public static func connect(
        _ configuration: MariaDBConfiguration,
        on loop: any EventLoop
    ) async throws(MariaDBError) -> MariaDBConnection {
        let result: Result<MariaDBConnection, MariaDBError>
        do {
            result = try await loop.submit {
                Result { () throws(MariaDBError) in
                    MariaDBConnection(loop: loop, connection: try open(configuration))
                }
            }.get()
        } catch {
            throw MariaDBError(.connectionFailed, "could not reach MariaDB's connection thread: \(error)")
        }
        return try result.get()
    }

    private static func open(_ configuration: MariaDBConfiguration) throws(MariaDBError) -> UnsafeMutablePointer<MYSQL>
    {
        guard libraryReady, let handle = mysql_init(nil) else {
            throw MariaDBError(.connectionFailed, "Connector/C could not initialise")
        }
        var connectTimeout = configuration.connectTimeoutSeconds
        var ioTimeout = configuration.ioTimeoutSeconds
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &ioTimeout)
        mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &ioTimeout)
        mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        let connected = mysql_real_connect(
            handle,
            configuration.socket == nil ? configuration.host : nil,
            configuration.username,
            configuration.password,
            configuration.database,
            UInt32(configuration.port),
            configuration.socket,
            0
        )
        guard connected != nil else {
            let error = MariaDBError.from(number: mysql_errno(handle), message: String(cString: mysql_error(handle)))
            mysql_close(handle)
            let place = configuration.socket ?? "\(configuration.host):\(configuration.port)"
            throw MariaDBError(error.code, "MariaDB at \(place): \(error.message)", errorNumber: error.errorNumber)
        }
        return handle
    }

    /// Runs a statement with bound parameters and returns the rows it produced.
    @discardableResult
    public func query(_ sql: String, _ parameters: [MariaDBValue] = []) throws(MariaDBError) -> [MariaDBRow] {
        try run(sql, parameters).rows
    }

    /// Runs a statement with bound parameters and returns how many rows it changed.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [MariaDBValue] = []) throws(MariaDBError) -> UInt64 {
        try run(sql, parameters).affectedRows
    }

    /// Runs SQL text without parameters (DDL and migrations); results are discarded.
    public func executeText(_ sql: String) throws(MariaDBError) {
        guard !handle.isClosed else { throw MariaDBError(.connectionLost, "the connection is closed") }
        let status = sql.utf8CString.withUnsafeBufferPointer { text in
            mysql_real_query(connection, text.baseAddress, UInt(text.count - 1))
        }
        if status != 0 { throw fail() }
        if let result = mysql_store_result(connection) { mysql_free_result(result) }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it
    /// throws. `body` runs on the connection's thread, isolated to it.
    public func transaction<T: Sendable>(
        _ body: @Sendable (isolated MariaDBConnection) throws -> T
    ) throws -> T {
        try executeText("START TRANSACTION")
        do {
            let result = try body(self)
            try executeText("COMMIT")
            return result
        } catch {
            if !isBroken { try? executeText("ROLLBACK") }
            throw error
        }
    }

    private func run(_ sql: String, _ parameters: [MariaDBValue]) throws(MariaDBError)
        -> (affectedRows: UInt64, rows: [MariaDBRow])
    {
        guard !handle.isClosed else { throw MariaDBError(.connectionLost, "the connection is closed") }
        let statement: PreparedStatement
        if let cached = statements[sql] {
            statement = cached
        } else {
            do {
                statement = try PreparedStatement(connection: connection, sql: sql)
            } catch {
                if error.isConnectivity { isBroken = true }
                throw error
            }
            statements[sql] = statement
        }
        do {
            return try statement.execute(parameters)
        } catch {
            if error.isConnectivity {
                isBroken = true
                statements.removeAll()
            }
            throw error
        }
    }

    private func fail() -> MariaDBError {
        let error = MariaDBError.from(
            number: mysql_errno(connection),
            message: String(cString: mysql_error(connection))
        )
        if error.isConnectivity { isBroken = true }
        return error
    }
}
