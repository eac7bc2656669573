import HotStockCore
import Hummingbird
import NIOCore

extension Request {
    /// The body as bytes, at most `limit` of them: more is `413 payload_too_large`.
    func contractBody(limit: Int) async throws -> [UInt8] {
        do {
            let buffer = try await body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw InventoryError(.payloadTooLarge, "the body is larger than \(limit) bytes")
        }
    }
}
