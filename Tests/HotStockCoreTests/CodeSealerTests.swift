import Foundation
import HotStockCore
import Testing

@Suite("Sealing card codes")
struct CodeSealerTests {
    static func key(_ id: String) -> String {
        id + ":" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }

    @Test func aSealedCodeHoldsNoClearTextAndOpensOnlyForItsSKU() throws {
        let sealer = CodeSealer(ring: try CodeKeyRing(current: Self.key("k1")))
        let code = "CARD-1234-5678-PIN-9999"
        let sealed = try sealer.seal(code, sku: "gift-25")
        #expect(sealed.hasPrefix("k1:") && !sealed.contains(code) && !sealed.contains("1234"))
        #expect(try sealer.open(sealed, sku: "gift-25") == code)
        // Random nonces: the same code seals differently each time.
        #expect(try sealer.seal(code, sku: "gift-25") != sealed)
        #expect(throws: CodeSealer.OpenError.self) { try sealer.open(sealed, sku: "gift-50") }
        var tampered = Array(sealed.utf8)
        tampered[tampered.count - 5] =
            tampered[tampered.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: CodeSealer.OpenError.self) {
            try sealer.open(String(decoding: tampered, as: UTF8.self), sku: "gift-25")
        }
    }

    @Test func fingerprintsAreStablePerKeyAndFoundAcrossARotation() throws {
        let first = Self.key("k1")
        let old = CodeSealer(ring: try CodeKeyRing(current: first))
        let rotated = CodeSealer(ring: try CodeKeyRing(current: Self.key("k2"), old: [first]))
        let code = "LICENSE-AAAA-BBBB"
        #expect(old.fingerprint(code) == old.fingerprint(code))
        #expect(old.fingerprint(code) != old.fingerprint("LICENSE-AAAA-BBBC"))
        #expect(!old.fingerprint(code).contains(code))
        // After the rotation new codes carry k2 fingerprints, and the k1 one still matches.
        #expect(rotated.fingerprint(code).hasPrefix("k2:"))
        #expect(rotated.allFingerprints(code).contains(old.fingerprint(code)))
        // Codes sealed under the retired key still open.
        let sealed = try old.seal(code, sku: "s")
        #expect(try rotated.open(sealed, sku: "s") == code)
        #expect(try rotated.seal(code, sku: "s").hasPrefix("k2:"))
        // A ring without k1 cannot open them.
        let stranger = CodeSealer(ring: try CodeKeyRing(current: Self.key("k3")))
        #expect(throws: CodeSealer.OpenError.self) { try stranger.open(sealed, sku: "s") }
    }

    @Test(arguments: [
        "", "k1", "k1:", ":AAAA", "k1:not base64!", "k1:" + Data(count: 16).base64EncodedString(),
        "k/1:" + Data(count: 32).base64EncodedString(),
        "a-very-long-key-id-17:" + Data(count: 32).base64EncodedString(),
    ])
    func malformedKeysAreRefusedWithoutEchoingThem(text: String) throws {
        do {
            _ = try CodeKeyRing(current: text)
            Issue.record("accepted \(text)")
        } catch let error as CodeKeyRing.ConfigurationError {
            #expect(error.description.hasPrefix("HOTSTOCK_CODE_KEY"))
            let secret = text.split(separator: ":", maxSplits: 1).last.map(String.init) ?? ""
            #expect(secret.count < 4 || !error.description.contains(secret))
        }
    }

    @Test func theEnvironmentGivesTheCurrentAndTheRetiredKeys() throws {
        #expect(try CodeKeyRing.fromEnvironment([:]) == nil)
        let ring = try #require(
            try CodeKeyRing.fromEnvironment([
                "HOTSTOCK_CODE_KEY": Self.key("k3"), "HOTSTOCK_CODE_OLD_KEYS": "\(Self.key("k2")), \(Self.key("k1"))",
            ])
        )
        #expect(ring.current.id == "k3" && ring.keys.map(\.id) == ["k3", "k2", "k1"])
        #expect(throws: CodeKeyRing.ConfigurationError.self) {
            try CodeKeyRing(current: Self.key("k1"), old: [Self.key("k1")])
        }
    }
}
