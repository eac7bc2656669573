import Foundation
import Testing

@testable import HotStockServer

/// The one-pass request parser reads JSON as Foundation's `JSONDecoder` did (the
/// server's parser before it), and is stricter only on trailing commas.
@Suite("The request body parser")
struct StrictJSONParserTests {
    /// What the server decoded bodies into before: `JSONDecoder` with these rules.
    enum Decoded: Decodable, Equatable {
        case null, bool(Bool), integer(Int64), number(Double), string(String), array([Decoded])
        case object([String: Decoded])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Int64.self) {
                self = .integer(value)
            } else if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else if let value = try? container.decode(String.self) {
                self = .string(value)
            } else if let value = try? container.decode([Decoded].self) {
                self = .array(value)
            } else {
                self = .object(try container.decode([String: Decoded].self))
            }
        }

        init(_ value: JSONValue) {
            switch value {
            case .null: self = .null
            case .bool(let value): self = .bool(value)
            case .integer(let value): self = .integer(value)
            case .number(let value): self = .number(value)
            case .string(let value): self = .string(value)
            case .array(let values): self = .array(values.map(Decoded.init))
            case .object(let members): self = .object(members.mapValues(Decoded.init))
            }
        }
    }

    static let corpus = [
        "1", "-0", "0", "1.0", "1.5", "1e3", "1E3", "1e-3", "-1e3", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "1e400", "-", "01", "1.", ".5", "+1", "1e", "0x10", "NaN",
        "Infinity", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\ud83d\\ude00\"", "\"tab\there\"", "\"\\x\"", "\"\\/\"",
        "{\"a\" :1 , \"b\": [1, \"x\", null, true, false]}", "{\"a\":{\"b\":1}}", " {} ", "{}x", "1.0e2",
        "123456789012345678901234567890", "-0.0", "1E+2", "[]", "\"é ✓ \\u00e9\"", "tru", "nul", "[1 2]",
        "{\"a\" 1}", "{1: 2}", "\"unterminated", "{\"qty\": 1, \"buyer\": \"u1\", \"ttl_ms\": 60000}",
        "{\"codes\": [\"A-1\", \"B-2\"], \"batch\": \"b1\"}", "", "   ", "\"\\u00\"", "[[[[1]]]]",
    ]

    @Test(arguments: corpus)
    func readsJSONAsJSONDecoderDid(text: String) {
        let old = try? JSONDecoder().decode(Decoded.self, from: Data(text.utf8))
        let new = (try? StrictJSONParser.parse(Array(text.utf8)))?.value
        #expect(new.map(Decoded.init) == old, "\(text)")
    }

    @Test func refusesTrailingCommasWhichJSONDecoderTolerated() {
        for text in ["[1,]", "{\"a\":1,}", "{\"a\":[1,],\"b\":2}"] {
            #expect((try? StrictJSONParser.parse(Array(text.utf8))) == nil, "\(text)")
        }
    }

    @Test func findsTheFirstKeyNamedTwiceAtAnyDepth() throws {
        #expect(try StrictJSONParser.parse(Array(#"{"qty": 1, "qty": 2}"#.utf8)).duplicateKey == "qty")
        #expect(try StrictJSONParser.parse(Array(#"{"a": {"b": 1, "b": 2}, "c": 3}"#.utf8)).duplicateKey == "b")
        #expect(try StrictJSONParser.parse(Array(#"{"a": 1, "b": {"a": 2}}"#.utf8)).duplicateKey == nil)
        #expect(try StrictJSONParser.parse(Array(#"{"q\u0074y": 1, "qty": 2}"#.utf8)).duplicateKey == "qty")
        #expect((try? StrictJSONParser.parse(Array(#"{"qty": 1, "qty": }"#.utf8))) == nil, "malformed wins")
    }

    @Test func refusesNestingBeyondItsDepthLimit() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect((try? StrictJSONParser.parse(Array(deep.utf8))) == nil)
    }
}
