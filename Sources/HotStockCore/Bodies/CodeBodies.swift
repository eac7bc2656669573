/// The answer to loading a batch of codes (`POST /v1/skus/{sku}/codes`, `hotstock codes
/// load --json`).
public struct CodeBatchBody: Codable, Sendable, Equatable {
    public var sku: String
    public var batch: String
    public var added: Int64
    public var duplicates: Int64
    public var total: Int64

    /// The body of a batch's result.
    public init(_ result: CodeBatchResult) {
        sku = result.sku
        batch = result.batch
        added = result.added
        duplicates = result.duplicates
        total = result.total
    }
}

/// The codes of a confirmed hold (`GET /v1/skus/{sku}/holds/{order}/codes`): the only
/// body HotStock ever sends a code in.
public struct CodesBody: Codable, Sendable, Equatable {
    public var sku: String
    public var order: String
    public var codes: [String]
    public var firstDeliveredAtMs: Int64

    enum CodingKeys: String, CodingKey {
        case sku, order, codes
        case firstDeliveredAtMs = "first_delivered_at_ms"
    }

    /// The body of a delivery.
    public init(_ delivery: CodeDelivery) {
        sku = delivery.sku
        order = delivery.order
        codes = delivery.codes
        firstDeliveredAtMs = delivery.firstDeliveredAtMs
    }
}
