import Foundation
import Yams

@testable import HotStockServer

/// The served `openapi.yaml`, parsed, with a validator for the subset of JSON Schema it
/// uses (type, nullable, enum, required, properties, additionalProperties, allOf, $ref,
/// minimum, maximum, minLength, maxLength, pattern).
struct OpenAPIDocument {
    let root: [String: Any]

    init(yaml: String) throws {
        guard let root = try Yams.load(yaml: yaml) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        self.root = root
    }

    /// The operation for a path template and method, e.g. `/v1/skus/{sku}`, `put`.
    func operation(path: String, method: String) -> [String: Any]? {
        ((root["paths"] as? [String: Any])?[path] as? [String: Any])?[method] as? [String: Any]
    }

    /// Every problem with a response (status and JSON body) against the document.
    func problems(path: String, method: String, status: Int, body: Data, headers: [String: String]) -> [String] {
        guard let operation = operation(path: path, method: method) else {
            return ["\(method) \(path) is not documented"]
        }
        guard var response = (operation["responses"] as? [String: Any])?[String(status)] as? [String: Any] else {
            return ["\(method) \(path) does not document status \(status)"]
        }
        if let reference = response["$ref"] as? String { response = resolve(reference) }
        var problems: [String] = []
        for (name, header) in (response["headers"] as? [String: Any]) ?? [:] {
            if (header as? [String: Any])?["required"] as? Bool == true, headers[name.lowercased()] == nil {
                problems.append("\(method) \(path) \(status) lacks header \(name)")
            }
        }
        guard let content = response["content"] as? [String: Any],
            let json = content["application/json"] as? [String: Any], let schema = json["schema"]
        else { return problems }
        guard let value = try? StrictJSONParser.parse(Array(body)).value else {
            return problems + ["\(method) \(path) \(status): the body is not JSON"]
        }
        return problems + validate(value, against: schema, at: "\(method) \(path) \(status) body")
    }

    private func resolve(_ reference: String) -> [String: Any] {
        var node: Any = root
        for part in reference.dropFirst(2).split(separator: "/") {
            node = (node as? [String: Any])?[String(part)] ?? [:]
        }
        return node as? [String: Any] ?? [:]
    }

    func validate(_ value: JSONValue, against schemaNode: Any, at location: String) -> [String] {
        guard var schema = schemaNode as? [String: Any] else { return [] }
        if let reference = schema["$ref"] as? String { schema = resolve(reference) }
        if value == .null {
            return schema["nullable"] as? Bool == true ? [] : ["\(location) is null"]
        }
        var problems: [String] = []
        for part in (schema["allOf"] as? [Any]) ?? [] {
            problems += validate(value, against: part, at: location)
        }
        if let options = schema["enum"] as? [Any] {
            if case .string(let text) = value, options.contains(where: { "\($0)" == text }) {
                // documented value
            } else {
                problems.append("\(location) = \(value) is not one of \(options)")
            }
        }
        switch (schema["type"] as? String, value) {
        case ("object", .object(let object)):
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in (schema["required"] as? [String]) ?? [] where object[name] == nil {
                problems.append("\(location) lacks \(name)")
            }
            for (name, field) in object {
                if let property = properties[name] {
                    problems += validate(field, against: property, at: "\(location).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(location) has undocumented \(name)")
                }
            }
        case ("integer", .integer(let number)):
            problems += bounds(Double(number), schema, location)
        case ("number", .integer(let number)):
            problems += bounds(Double(number), schema, location)
        case ("number", .number(let number)):
            problems += bounds(number, schema, location)
        case ("string", .string(let text)):
            if let minimum = schema["minLength"] as? Int, text.count < minimum {
                problems.append("\(location) is too short")
            }
            if let maximum = schema["maxLength"] as? Int, text.count > maximum {
                problems.append("\(location) is too long")
            }
            if let pattern = schema["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(location) = \(text) does not match \(pattern)")
            }
        case ("array", .array(let items)):
            if let minimum = schema["minItems"] as? Int, items.count < minimum {
                problems.append("\(location) has too few items")
            }
            if let maximum = schema["maxItems"] as? Int, items.count > maximum {
                problems.append("\(location) has too many items")
            }
            for (index, item) in items.enumerated() {
                problems += validate(item, against: schema["items"] as Any, at: "\(location)[\(index)]")
            }
        case ("boolean", .bool):
            break
        case (nil, _):
            break
        case (let type?, _):
            problems.append("\(location) = \(value) is not \(type)")
        }
        return problems
    }

    private func bounds(_ number: Double, _ schema: [String: Any], _ location: String) -> [String] {
        var problems: [String] = []
        if let minimum = (schema["minimum"] as? NSNumber)?.doubleValue, number < minimum {
            problems.append("\(location) = \(number) is below \(minimum)")
        }
        if let maximum = (schema["maximum"] as? NSNumber)?.doubleValue, number > maximum {
            problems.append("\(location) = \(number) is above \(maximum)")
        }
        return problems
    }
}
