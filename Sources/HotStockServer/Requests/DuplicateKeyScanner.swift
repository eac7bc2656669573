/// Finds a JSON object that names one key twice (`{"qty": 1, "qty": 2}`).
///
/// JSON leaves duplicate names undefined and decoders disagree on which value wins, so
/// HotStock refuses such bodies rather than guess. The scan assumes the text is JSON
/// that the decoder accepts; it only tracks strings and object nesting.
enum DuplicateKeyScanner {
    /// The first duplicated key, or `nil` when every object's keys are unique.
    static func firstDuplicate(in bytes: [UInt8]) -> String? {
        var stack: [(isObject: Bool, keys: Set<[UInt8]>, expectingKey: Bool)] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                stack.append((true, [], true))
            case UInt8(ascii: "["):
                stack.append((false, [], false))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = stack.popLast()
            case UInt8(ascii: ","):
                if let last = stack.indices.last, stack[last].isObject { stack[last].expectingKey = true }
            case UInt8(ascii: "\""):
                var end = index + 1
                var text: [UInt8] = []
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    if bytes[end] == UInt8(ascii: "\\"), end + 1 < bytes.count {
                        text.append(bytes[end])
                        end += 1
                    }
                    text.append(bytes[end])
                    end += 1
                }
                if let last = stack.indices.last, stack[last].isObject, stack[last].expectingKey {
                    if !stack[last].keys.insert(text).inserted { return String(decoding: text, as: UTF8.self) }
                    stack[last].expectingKey = false
                }
                index = end
            default:
                break
            }
            index += 1
        }
        return nil
    }
}
