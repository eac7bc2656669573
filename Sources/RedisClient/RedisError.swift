/// A failure talking to Redis.
///
/// `description` never contains a password: URLs and credentials are redacted before
/// they reach a message.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure happened. New codes may be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case invalidURL = "invalid URL"
            case connectionFailed = "connection failed"
            case connectionClosed = "connection closed"
            case timeout = "timed out"
            case authenticationFailed = "authentication failed"
            case protocolError = "protocol error"
            case replyError = "error reply"
            case unexpectedReply = "unexpected reply"
            case shutDown = "shut down"
            case notReplicated = "not replicated"
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The `redis://` URL could not be parsed.
        public static let invalidURL = Code(.invalidURL)
        /// No connection could be made (refused, unreachable, DNS).
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection closed with requests in flight; their outcome is unknown.
        public static let connectionClosed = Code(.connectionClosed)
        /// Redis did not answer in time; the connection was closed.
        public static let timeout = Code(.timeout)
        /// `AUTH` or `SELECT` was refused.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The bytes on the wire were not valid RESP.
        public static let protocolError = Code(.protocolError)
        /// Redis answered the command with an error reply.
        public static let replyError = Code(.replyError)
        /// Redis answered with a reply of a shape the caller did not expect.
        public static let unexpectedReply = Code(.unexpectedReply)
        /// The client was shut down; no request is sent any more.
        public static let shutDown = Code(.shutDown)
        /// The command ran, but `WAIT` did not see the replicas asked for take it in time.
        public static let notReplicated = Code(.notReplicated)

        public var description: String { kind.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation, free of secrets.
    public var message: String

    /// Makes an error of the given kind.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether the failure is about reaching Redis at all (as opposed to Redis refusing
    /// a command): the caller may retry an idempotent request.
    public var isConnectivity: Bool {
        code == .connectionFailed || code == .connectionClosed || code == .timeout
    }

    /// Whether a retry may succeed: Redis could not be reached, or refused the command
    /// without running it (still loading after a restart, busy with a script, a replica
    /// after a failover).
    public var isTransient: Bool {
        isConnectivity
            || (code == .replyError
                && ["LOADING", "TRYAGAIN", "MASTERDOWN", "BUSY ", "READONLY"].contains { message.hasPrefix($0) })
    }

    public var description: String { "Redis \(code): \(message)" }
}
