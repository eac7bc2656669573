import CHiredis
import NIOCore

/// Parses RESP2 replies out of a byte stream with hiredis's `redisReader`.
///
/// The reader owns its C pointer and is used by exactly one channel handler on its
/// event loop; it never crosses a concurrency boundary.
final class ReplyReader {
    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        guard let reader = redisReaderCreate() else {
            fatalError("hiredis could not allocate a reply reader (out of memory)")
        }
        self.reader = reader
    }

    deinit {
        redisReaderFree(reader)
    }

    /// Hands the bytes read from the socket to the parser.
    func feed(_ buffer: ByteBuffer) throws(RedisError) {
        let status = buffer.withUnsafeReadableBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return REDIS_OK }
            return redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        if status != REDIS_OK { throw protocolError() }
    }

    /// The next complete reply, or `nil` when more bytes are needed.
    func next() throws(RedisError) -> RedisReply? {
        var raw: UnsafeMutableRawPointer?
        if redisReaderGetReply(reader, &raw) != REDIS_OK { throw protocolError() }
        guard let raw else { return nil }
        let reply = hotstock_as_reply(raw)!
        defer { freeReplyObject(raw) }
        return Self.convert(reply.pointee)
    }

    private func protocolError() -> RedisError {
        let message = withUnsafeBytes(of: reader.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return RedisError(.protocolError, "malformed reply from Redis: \(message)")
    }

    private static func convert(_ reply: redisReply) -> RedisReply {
        switch reply.type {
        case REDIS_REPLY_STRING: .bulk(text(reply))
        case REDIS_REPLY_STATUS: .status(text(reply))
        case REDIS_REPLY_ERROR: .error(text(reply))
        case REDIS_REPLY_INTEGER: .integer(reply.integer)
        case REDIS_REPLY_ARRAY:
            .array(
                (0..<reply.elements).map { index in
                    convert(reply.element[index]!.pointee)
                }
            )
        default: .null
        }
    }

    private static func text(_ reply: redisReply) -> String {
        guard let str = reply.str else { return "" }
        return String(
            decoding: UnsafeRawBufferPointer(start: str, count: reply.len),
            as: UTF8.self
        )
    }
}
