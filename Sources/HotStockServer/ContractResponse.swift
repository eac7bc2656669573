import HTTPTypes
import HotStockCore
import Hummingbird
import NIOCore

/// Builds the contract's responses: JSON bodies (one encoder with the CLI) and error
/// bodies with their status and `Retry-After`.
enum ContractResponse {
    /// A JSON body with `status`.
    static func json(_ body: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: HotStockJSON.encode(body)))
        )
    }

    /// The error body of a refusal, with the contract's status (and `Retry-After` for
    /// 429 and 503: whole seconds, at least 1).
    static func error(_ error: InventoryError) -> Response {
        var response = json(ErrorBody(error), status: HTTPResponse.Status(code: error.code.httpStatus))
        if [429, 503].contains(error.code.httpStatus) {
            response.headers[.retryAfter] = String(error.retryAfterSeconds ?? 1)
        }
        return response
    }
}
