/// A failure talking to MariaDB/MySQL. `description` never contains a password.
public struct MariaDBError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure happened. New codes may be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case invalidURL = "invalid URL"
            case connectionFailed = "connection failed"
            case connectionLost = "connection lost"
            case accessDenied = "access denied"
            case unknownDatabase = "unknown database"
            case statementFailed = "statement failed"
            case migrationFailed = "migration failed"
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The `mysql://` URL could not be parsed.
        public static let invalidURL = Code(.invalidURL)
        /// No connection could be made (refused, unreachable, timed out).
        public static let connectionFailed = Code(.connectionFailed)
        /// The server went away during a statement; its outcome is unknown.
        public static let connectionLost = Code(.connectionLost)
        /// The user or password was refused.
        public static let accessDenied = Code(.accessDenied)
        /// The database named in the URL does not exist.
        public static let unknownDatabase = Code(.unknownDatabase)
        /// The server refused or failed a statement.
        public static let statementFailed = Code(.statementFailed)
        /// A schema migration could not be applied.
        public static let migrationFailed = Code(.migrationFailed)

        public var description: String { kind.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation, free of secrets.
    public var message: String
    /// The server's or client library's error number, when there is one.
    public var errorNumber: UInt32?

    /// Makes an error.
    public init(_ code: Code, _ message: String, errorNumber: UInt32? = nil) {
        self.code = code
        self.message = message
        self.errorNumber = errorNumber
    }

    /// Whether the failure is about reaching the server: the caller may retry later.
    public var isConnectivity: Bool {
        code == .connectionFailed || code == .connectionLost
    }

    /// Whether the server rolled the transaction back for a lock conflict (a deadlock,
    /// 1213, or a lock wait timeout, 1205): running it again may succeed.
    public var isLockConflict: Bool {
        errorNumber == 1213 || errorNumber == 1205
    }

    public var description: String { "MySQL \(code): \(message)" }
}
