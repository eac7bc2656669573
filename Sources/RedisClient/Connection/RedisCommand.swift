import CHiredis
import NIOCore

/// One Redis command: its name and arguments, sent binary-safe.
public struct RedisCommand: Sendable, Hashable {
    /// The command name followed by its arguments, e.g. `["HGETALL", "hs:{07}:sku:card-50"]`.
    public var arguments: [String]

    /// Makes a command from its name and arguments.
    public init(_ name: String, _ arguments: [String] = []) {
        self.arguments = [name] + arguments
    }

    /// Makes a command from an argument vector whose first element is the name.
    public init(arguments: [String]) {
        precondition(!arguments.isEmpty, "a Redis command needs a name")
        self.arguments = arguments
    }

    /// Appends the command in RESP form to `buffer`, formatted by hiredis's
    /// `redisFormatCommandArgv`.
    func encode(into buffer: inout ByteBuffer) {
        var storage: [UInt8] = []
        var offsets: [Int] = []
        var lengths: [Int] = []
        for argument in arguments {
            offsets.append(storage.count)
            storage.append(contentsOf: argument.utf8)
            lengths.append(storage.count - offsets.last!)
        }
        storage.append(0)
        storage.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            let argv: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
            var formatted: UnsafeMutablePointer<CChar>?
            let length = argv.withUnsafeBufferPointer { argvPointer in
                lengths.withUnsafeBufferPointer { lengthPointer in
                    redisFormatCommandArgv(
                        &formatted,
                        Int32(argv.count),
                        UnsafeMutablePointer(mutating: argvPointer.baseAddress!),
                        lengthPointer.baseAddress!
                    )
                }
            }
            guard length > 0, let formatted else {
                fatalError("hiredis could not format a command (out of memory)")
            }
            defer { hotstock_free_command(formatted) }
            buffer.writeBytes(UnsafeRawBufferPointer(start: formatted, count: Int(length)))
        }
    }
}
