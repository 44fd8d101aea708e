/// One parsing event from libyaml, copied out of C memory.
///
/// Anchors and aliases never reach the consumer: `YAMLEventReader` replays the anchored
/// events in place of each alias, within an expansion budget.
public struct YAMLEvent: Sendable {
    public enum Kind: UInt8, Sendable {
        case documentStart, documentEnd, mappingStart, mappingEnd, sequenceStart, sequenceEnd, scalar
    }

    /// How a scalar was written; a plain scalar is the only one whose type is resolved
    /// (`no` stays a string in a string field either way, as YAML 1.2 says).
    public enum ScalarStyle: UInt8, Sendable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var kind: Kind
    public var mark: YAMLMark
    /// The scalar's text; empty for other events.
    public var value: String
    public var style: ScalarStyle
    /// The resolved tag when one was written (`tag:yaml.org,2002:str` for `!!str`).
    public var tag: String?

    @inlinable
    public init(kind: Kind, mark: YAMLMark, value: String = "", style: ScalarStyle = .plain, tag: String? = nil) {
        self.kind = kind
        self.mark = mark
        self.value = value
        self.style = style
        self.tag = tag
    }

    // Inlinable, like `isNull`: the decoder asks them of every event, from another module.
    /// Whether this event opens a mapping or a sequence.
    @inlinable public var opensCollection: Bool { kind == .mappingStart || kind == .sequenceStart }
    /// Whether this event closes a mapping or a sequence.
    @inlinable public var closesCollection: Bool { kind == .mappingEnd || kind == .sequenceEnd }

    /// A plain scalar with no tag whose text is YAML 1.2's null (`~`, `null`, empty).
    @inlinable public var isNull: Bool {
        guard kind == .scalar, style == .plain, tag == nil else { return false }
        // Checked on the first byte first: this runs for every scalar.
        switch value.utf8.first {
        case nil: return true
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"):
            return value == "~" || value == "null" || value == "Null" || value == "NULL"
        default: return false
        }
    }

    /// The four-letter spellings of null, for readers that look at bytes.
    static let nulls: [[UInt8]] = [Array("null".utf8), Array("Null".utf8), Array("NULL".utf8)]

    /// What this event is, in words for error messages ("a mapping", "a string").
    public var describedType: String {
        switch kind {
        case .mappingStart: return "a mapping"
        case .sequenceStart: return "a list"
        case .scalar:
            if isNull { return "null" }
            if style != .plain || tag != nil { return "a string" }
            if value == "true" || value == "false" || value == "True" || value == "False"
                || value == "TRUE" || value == "FALSE"
            {
                return "a boolean"
            }
            if Double(value) != nil { return "a number" }
            return "a string"
        default: return "nothing"
        }
    }
}
