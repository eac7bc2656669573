import CHiredis
import NIOCore

/// One Redis command: its name, its arguments (sent binary-safe) and the keys it
/// touches.
///
/// The typed constructors in `Commands/` (``xlen(_:)``, ``hmget(_:fields:)``,
/// ``fcall(_:keys:arguments:)``, ...) fill ``keysAffected`` themselves, so a command's
/// node can be derived from it alone: routing by key (a Redis Cluster's hash slots)
/// needs no knowledge of each command's argument layout.
public struct RedisCommand: Sendable, Hashable {
    /// The command name followed by its arguments, e.g. `["HGETALL", "hs:{07}:sku:card-50"]`.
    public var arguments: [String]
    /// The keys the command reads or writes; empty for a command that touches no key
    /// (`PING`, `TIME`, `SCAN`, `FUNCTION LOAD`).
    public var keysAffected: [String]

    /// Makes a command from its name, arguments and the keys among them.
    public init(_ name: String, _ arguments: [String] = [], keys: [String] = []) {
        self.arguments = [name] + arguments
        self.keysAffected = keys
    }

    /// Makes a command from an argument vector whose first element is the name (for
    /// tools and tests that send what an operator typed); it declares no keys.
    public init(arguments: [String]) {
        precondition(!arguments.isEmpty, "a Redis command needs a name")
        self.arguments = arguments
        self.keysAffected = []
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
