import Crypto
import Foundation

/// The keys that seal card codes at rest (DESIGN section 5b): the current key seals,
/// every key of the ring opens, and each key also yields a keyed fingerprint (HMAC) so
/// duplicates are found without the clear text, across key rotations.
///
/// `HOTSTOCK_CODE_KEY` holds the current key as `ID:BASE64` (32 bytes, e.g. made with
/// `head -c 32 /dev/urandom | base64`); `HOTSTOCK_CODE_OLD_KEYS` the retired ones that
/// may still have sealed codes, as a comma-separated list of the same form.
public struct CodeKeyRing: Sendable {
    /// One key of the ring.
    public struct Key: Sendable {
        /// The id stored with every code it seals (1–16 characters of `[A-Za-z0-9_-]`).
        public let id: String
        let sealing: SymmetricKey
        let fingerprinting: SymmetricKey

        init(id: String, material: SymmetricKey) {
            self.id = id
            sealing = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: material,
                info: Data("hotstock code sealing".utf8),
                outputByteCount: 32
            )
            fingerprinting = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: material,
                info: Data("hotstock code fingerprint".utf8),
                outputByteCount: 32
            )
        }
    }

    /// Why a ring could not be made; the message names the variable, never the key.
    public struct ConfigurationError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The key that seals new codes.
    public let current: Key
    /// Every key, the current one first.
    public let keys: [Key]

    /// A ring from `ID:BASE64` texts: the current key and the retired ones.
    public init(current: String, old: [String] = []) throws {
        let parsed = try ([current] + old).map(Self.parse)
        guard Set(parsed.map(\.id)).count == parsed.count else {
            throw ConfigurationError(description: "HOTSTOCK_CODE_KEY: two keys share an id")
        }
        self.current = parsed[0]
        keys = parsed
    }

    /// The ring of `HOTSTOCK_CODE_KEY` and `HOTSTOCK_CODE_OLD_KEYS`; `nil` when no key is set.
    public static func fromEnvironment(_ environment: [String: String]) throws -> CodeKeyRing? {
        guard let current = environment["HOTSTOCK_CODE_KEY"] else { return nil }
        let old = (environment["HOTSTOCK_CODE_OLD_KEYS"] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return try CodeKeyRing(current: current, old: old.filter { !$0.isEmpty })
    }

    /// The key with `id`, if the ring has it.
    public func key(id: String) -> Key? { keys.first { $0.id == id } }

    private static func parse(_ text: String) throws -> Key {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            throw ConfigurationError(
                description: "HOTSTOCK_CODE_KEY: expected ID:BASE64 (a key id, a colon, 32 bytes in base64)"
            )
        }
        let id = parts[0]
        guard (1...16).contains(id.count),
            id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            throw ConfigurationError(
                description: "HOTSTOCK_CODE_KEY: a key id must be 1-16 characters of [A-Za-z0-9_-]"
            )
        }
        guard let bytes = Data(base64Encoded: parts[1]), bytes.count == 32 else {
            throw ConfigurationError(description: "HOTSTOCK_CODE_KEY: key \(id) is not 32 bytes of base64")
        }
        return Key(id: id, material: SymmetricKey(data: bytes))
    }
}
