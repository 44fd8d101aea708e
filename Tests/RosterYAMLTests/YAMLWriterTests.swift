import Testing

@testable import RosterYAML

@Suite struct YAMLWriterTests {
    /// `value` written as the value of `key`, and read back: the text and the scalar's style.
    func roundTrip(_ value: String) throws -> (text: String, read: String, style: YAMLEvent.ScalarStyle) {
        let writer = YAMLWriter()
        writer.beginDocument()
        writer.mapping { writer.pair("key", value) }
        writer.endDocument()
        let text = try writer.finish()
        let reader = YAMLEventReader(bytes: Array(text.utf8))
        var scalars: [YAMLEvent] = []
        while let event = try reader.next() {
            if event.kind == .scalar { scalars.append(event) }
        }
        let read = try #require(scalars.last)
        return (text, read.value, read.style)
    }

    @Test("Text a YAML reader would take for a null, a boolean or a number is quoted, in any case; other text is plain",
        arguments: ["", "~", "null", "NULL", "true", "False", "yes", "Yes", "no", "ON", "off", "y", "N", ".inf", "-.Inf", "+.inf",
                    ".NaN", "80", "120.5", "1e3", "0x1F", "+1", "-2", "12:30"])
    func ambiguousIsQuoted(_ value: String) throws {
        let (text, read, style) = try roundTrip(value)
        #expect(read == value, "\(text)")
        #expect(style == .doubleQuoted, "\(text)")
    }

    @Test("Addresses, slugs and words that only begin like a keyword stay plain",
        arguments: ["alice@example.com", "ml-research", "yesterday", "online", "nullable", "Team 80", "x1"])
    func plainStaysPlain(_ value: String) throws {
        let (text, read, style) = try roundTrip(value)
        #expect(read == value, "\(text)")
        #expect(style == .plain, "\(text)")
    }
}
