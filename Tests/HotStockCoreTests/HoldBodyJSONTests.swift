import Foundation
import Testing

@testable import HotStockCore

/// The hand-written JSON of the hold and error bodies is byte for byte what `JSONEncoder` writes.
@Suite("The hold body's JSON")
struct HoldBodyJSONTests {
    static func encoderText(_ body: HoldBody) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(body), as: UTF8.self)
    }

    @Test(arguments: [
        "card-50", "a.b:c_d-E9", "quote\"back\\slash/slash", "tab\tline\nreturn\rbell\u{07}\u{08}\u{0C}\u{1F}",
        "ünï cödé ✓",
        "",
    ])
    func handWrittenJSONEqualsJSONEncoder(text: String) throws {
        for coded in [false, true] {
            for reacquired in [false, true] {
                var hold = Hold(
                    sku: text,
                    order: "o-" + text,
                    qty: 3,
                    buyer: text.isEmpty ? nil : text,
                    state: .confirmed,
                    expiresAtMs: 1_796_000_000_123,
                    createdAtMs: 1_795_999_100_000,
                    finalAtMs: reacquired ? 1_796_000_000_000 : nil,
                    version: 2
                )
                hold.coded = coded
                hold.codesCount = reacquired ? 3 : nil
                let body = HoldBody(hold, reacquired: reacquired)
                #expect(body.jsonText == (try Self.encoderText(body)))
                #expect(HotStockJSON.encode(body) == body.jsonText)
            }
        }
    }

    @Test(arguments: ["sold_out", "quote\"back\\slash/slash", "tab\tline\n\u{01}", "ünï ✓", ""])
    func handWrittenErrorJSONEqualsJSONEncoder(text: String) throws {
        let body = ErrorBody(InventoryError(.soldOut, text))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(body.jsonText == String(decoding: try encoder.encode(body), as: UTF8.self))
        #expect(HotStockJSON.encode(body) == body.jsonText)
    }
}
