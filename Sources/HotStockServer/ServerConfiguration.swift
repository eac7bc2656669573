/// How the HTTP API runs. Tokens are secrets: never logged, never printed.
public struct ServerConfiguration: Sendable {
    /// Address to listen on.
    public var host: String
    /// Port to listen on (0 picks a free one).
    public var port: Int
    /// `HOTSTOCK_API_TOKEN`: holds and reads.
    public var apiToken: String
    /// `HOTSTOCK_ADMIN_TOKEN`: stock changes, and everything the API token may do.
    public var adminToken: String
    /// Largest request body accepted (413 above).
    public var maxBodyBytes: Int
    /// Largest code batch body accepted (413 above).
    public var maxCodeBatchBytes = 4 * 1024 * 1024
    /// Requests per second one bearer token may send (bursts of twice that); `nil`: no limit.
    public var tokenRate: Double?
    /// Hold requests per second one buyer may send (bursts of twice that); `nil`: no limit.
    public var buyerRate: Double?
    /// How long one request may take to arrive, head to end of body (408 after that).
    public var requestReadTimeout: Duration
    /// How long a connection may sit without a request part before it is closed; this
    /// also ends a request head that is trickled in and never completes.
    public var idleTimeout: Duration
    /// Whether the server's process expires holds too (`--no-sweeper` turns it off).
    public var runsSweeper: Bool
    /// How long the sold-out gate trusts what it learned without news (DESIGN section
    /// 13, at most 1 s there); `nil` turns the gate off, so every hold asks Redis.
    public var soldOutGateLapse: Duration?

    /// Makes a configuration.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        apiToken: String,
        adminToken: String,
        maxBodyBytes: Int = 16 * 1024,
        tokenRate: Double? = nil,
        buyerRate: Double? = nil,
        requestReadTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        runsSweeper: Bool = true,
        soldOutGateLapse: Duration? = .seconds(1)
    ) {
        self.host = host
        self.port = port
        self.apiToken = apiToken
        self.adminToken = adminToken
        self.maxBodyBytes = maxBodyBytes
        self.tokenRate = tokenRate
        self.buyerRate = buyerRate
        self.requestReadTimeout = requestReadTimeout
        self.idleTimeout = idleTimeout
        self.runsSweeper = runsSweeper
        self.soldOutGateLapse = soldOutGateLapse
    }
}
