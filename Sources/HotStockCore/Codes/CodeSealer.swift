import Crypto
import Foundation

/// Seals card codes for storage (AES-GCM, bound to their SKU) and fingerprints them
/// (HMAC-SHA256) for duplicate checks. Nothing it returns holds a code in clear.
public struct CodeSealer: Sendable {
    public let ring: CodeKeyRing

    /// A sealer over `ring`.
    public init(ring: CodeKeyRing) {
        self.ring = ring
    }

    /// Why a sealed code could not be opened.
    public struct OpenError: Error, CustomStringConvertible {
        public let description: String
    }

    /// `ID:BASE64(nonce | ciphertext | tag)` under the current key; the SKU is
    /// authenticated with it, so a code moved to another SKU does not open.
    public func seal(_ code: String, sku: String) throws -> String {
        let box = try AES.GCM.seal(Data(code.utf8), using: ring.current.sealing, authenticating: Self.context(sku))
        guard let combined = box.combined else { throw OpenError(description: "AES-GCM gave no combined box") }
        return ring.current.id + ":" + combined.base64EncodedString()
    }

    /// The code in clear; fails on an unknown key id or a box that does not authenticate.
    public func open(_ sealed: String, sku: String) throws -> String {
        let parts = sealed.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let key = ring.key(id: parts[0]) else {
            throw OpenError(description: "a sealed code names a key this ring does not have")
        }
        guard let combined = Data(base64Encoded: parts[1]) else {
            throw OpenError(description: "a sealed code is not base64")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let clear = try AES.GCM.open(box, using: key.sealing, authenticating: Self.context(sku))
            return String(decoding: clear, as: UTF8.self)
        } catch {
            throw OpenError(description: "a sealed code does not open (wrong key or tampered)")
        }
    }

    /// The code's fingerprint under the current key: `ID:BASE64(HMAC)`.
    public func fingerprint(_ code: String) -> String {
        Self.fingerprint(code, key: ring.current)
    }

    /// The code's fingerprint under every key of the ring (the current one first): a code
    /// loaded under a retired key is still found by one of them.
    public func allFingerprints(_ code: String) -> [String] {
        ring.keys.map { Self.fingerprint(code, key: $0) }
    }

    private static func fingerprint(_ code: String, key: CodeKeyRing.Key) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(code.utf8), using: key.fingerprinting)
        return key.id + ":" + Data(mac).base64EncodedString()
    }

    private static func context(_ sku: String) -> Data { Data("hotstock-code:\(sku)".utf8) }
}
