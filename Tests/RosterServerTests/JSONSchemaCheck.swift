import Foundation

/// A JSON value as decoded strictly (`true` is not `1`), for checking responses against a
/// schema.
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

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
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    init(parsing data: Data) throws { self = try JSONDecoder().decode(JSONValue.self, from: data) }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    var string: String? { if case .string(let text) = self { text } else { nil } }

    var number: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }
}

/// Checks JSON values against the part of JSON Schema 2020-12 (as OpenAPI 3.1 uses it) that
/// docs/openapi.json uses: `$ref` into the document, `type` (one or a list), `enum`, `const`,
/// `required`, `properties`, `items`, `maxItems`, `anyOf`, `minimum`, `maximum`, `pattern` and
/// the formats `date-time`, `date` and `uri`. Stricter than JSON Schema in two ways, so that
/// the document stays complete: a property the schema does not list is a problem, and so is
/// a keyword this checker does not know (it would otherwise pass unchecked).
struct JSONSchemaCheck {
    let document: JSONValue

    static let annotations: Set<String> = ["description", "default", "title"]
    static let keywords: Set<String> = [
        "$ref", "type", "enum", "const", "required", "properties", "items", "maxItems", "anyOf", "minimum", "maximum",
        "pattern", "format",
    ]

    /// What is wrong with `value` against `schema`, one line per problem; empty when it matches.
    func problems(_ value: JSONValue, _ schema: JSONValue, at path: String = "$") -> [String] {
        guard case .object(let keywords) = schema else { return ["\(path): the schema is not an object"] }
        var problems: [String] = []
        for keyword in keywords.keys where !Self.keywords.contains(keyword) && !Self.annotations.contains(keyword) {
            problems.append("\(path): the checker does not know the keyword \(keyword)")
        }
        if let reference = keywords["$ref"]?.string {
            guard let target = resolve(reference) else { return problems + ["\(path): no \(reference) in the document"] }
            problems += self.problems(value, target, at: path)
        }
        if let type = keywords["type"] {
            let names: [String] =
                switch type {
                case .string(let name): [name]
                case .array(let list): list.compactMap(\.string)
                default: []
                }
            if !names.contains(where: { Self.value(value, is: $0) }) {
                problems.append("\(path): \(Self.describe(value)) is not of type \(names.joined(separator: " or "))")
                return problems
            }
        }
        if case .array(let allowed) = keywords["enum"], !allowed.contains(value) {
            problems.append("\(path): \(Self.describe(value)) is not one of the listed values")
        }
        if let constant = keywords["const"], constant != value {
            problems.append("\(path): \(Self.describe(value)) is not the constant")
        }
        if case .array(let alternatives) = keywords["anyOf"],
            !alternatives.contains(where: { self.problems(value, $0, at: path).isEmpty })
        {
            problems.append("\(path): \(Self.describe(value)) matches none of anyOf")
        }
        if let number = value.number {
            if let minimum = keywords["minimum"]?.number, number < minimum { problems.append("\(path): \(number) < \(minimum)") }
            if let maximum = keywords["maximum"]?.number, number > maximum { problems.append("\(path): \(number) > \(maximum)") }
        }
        if let text = value.string {
            if let pattern = keywords["pattern"]?.string {
                do {
                    if try Regex(pattern).firstMatch(in: text) == nil { problems.append("\(path): \"\(text)\" does not match \(pattern)") }
                } catch {
                    problems.append("\(path): the pattern \(pattern) is not a regular expression: \(error)")
                }
            }
            if let format = keywords["format"]?.string, let problem = Self.formatProblem(text, format) {
                problems.append("\(path): \(problem)")
            }
        }
        if case .object(let members) = value {
            if case .array(let required) = keywords["required"] {
                for name in required.compactMap(\.string) where members[name] == nil {
                    problems.append("\(path): the required property \(name) is missing")
                }
            }
            if case .object(let properties) = keywords["properties"] {
                for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                    if let propertySchema = properties[name] {
                        problems += self.problems(member, propertySchema, at: "\(path).\(name)")
                    } else {
                        problems.append("\(path): the property \(name) is not in the schema")
                    }
                }
            }
        }
        if case .array(let items) = value {
            if let maximum = keywords["maxItems"]?.number, Double(items.count) > maximum {
                problems.append("\(path): \(items.count) items, more than \(Int(maximum))")
            }
            if let itemSchema = keywords["items"] {
                for (index, item) in items.enumerated() { problems += self.problems(item, itemSchema, at: "\(path)[\(index)]") }
            }
        }
        return problems
    }

    /// The value at a local reference (`#/components/schemas/Status`).
    func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: JSONValue? = document
        for key in reference.dropFirst(2).split(separator: "/") { node = node?[String(key)] }
        return node
    }

    static func value(_ value: JSONValue, is type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("integer", .integer), ("number", .integer), ("number", .number),
            ("string", .string), ("array", .array), ("object", .object):
            true
        default: false
        }
    }

    static func formatProblem(_ text: String, _ format: String) -> String? {
        switch format {
        case "date-time":
            text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/) == nil
                ? "\"\(text)\" is not an RFC 3339 date-time" : nil
        case "date": text.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) == nil ? "\"\(text)\" is not a date" : nil
        case "uri": URL(string: text)?.scheme == nil ? "\"\(text)\" is not an absolute URI" : nil
        default: "the checker does not know the format \(format)"
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): String(flag)
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .string(let text): "\"\(text)\""
        case .array(let items): "an array of \(items.count)"
        case .object: "an object"
        }
    }
}
