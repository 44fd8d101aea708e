import Testing

@testable import RosterYAML

@Suite struct YAMLEventReaderTests {
    /// All events of `text`, or the error that stopped reading.
    func events(_ text: String, limits: YAMLLimits = YAMLLimits()) -> (events: [YAMLEvent], error: YAMLError?) {
        let reader = YAMLEventReader(bytes: Array(text.utf8), limits: limits)
        var events: [YAMLEvent] = []
        do {
            while let event = try reader.next() { events.append(event) }
            return (events, nil)
        } catch {
            return (events, error)
        }
    }

    @Test func scalarsKeepTheirTextAndPosition() {
        let (events, error) = events("a: no\nb: '0755'\nc: on\n")
        #expect(error == nil)
        let scalars = events.filter { $0.kind == .scalar }
        #expect(scalars.map(\.value) == ["a", "no", "b", "0755", "c", "on"])
        #expect(scalars[1].mark == YAMLMark(line: 1, column: 4))
        #expect(scalars[3].style == .singleQuoted)
        #expect(scalars[5].mark == YAMLMark(line: 3, column: 4))
    }

    @Test func aliasesReplayTheAnchoredNode() {
        let (events, error) = events("base: &m {email: a@b.co, role: dev}\ncopy: *m\n")
        #expect(error == nil)
        let values = events.filter { $0.kind == .scalar }.map(\.value)
        #expect(values == ["base", "email", "a@b.co", "role", "dev", "copy", "email", "a@b.co", "role", "dev"])
    }

    @Test func theCursorReadsLiveAndReplayedScalarsInPlace() throws {
        // A long anchored address (past Swift's small strings) replayed twice, and a short one.
        let reader = YAMLEventReader(bytes: Array("a: &m {email: someone.long@example.com, role: dev}\nb: *m\nc: [*m, x]\n".utf8))
        var scalars: [String] = []
        var marks: [YAMLMark] = []
        while try reader.advance() {
            guard reader.kind == .scalar else { #expect(reader.scalar.isEmpty); continue }
            scalars.append(String(decoding: reader.scalar, as: UTF8.self))
            marks.append(reader.mark)
            #expect(reader.event.value == reader.text)
        }
        let member = ["email", "someone.long@example.com", "role", "dev"]
        #expect(scalars == ["a"] + member + ["b"] + member + ["c"] + member + ["x"])
        // A replayed event keeps the anchored node's position.
        #expect(marks[1] == YAMLMark(line: 1, column: 8))
        #expect(marks[6] == marks[1])
        #expect(marks[11] == marks[1])
        #expect(try reader.advance() == false)
    }

    @Test func anAliasWithoutAnchorIsAnError() {
        let (_, error) = events("a: *nothing\n")
        #expect(error?.message.contains("*nothing") == true)
    }

    @Test func billionLaughsStopsAtTheBudget() {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for level in 1..<names.count {
            let previous = "*" + names[level - 1]
            text += "\(names[level]): &\(names[level]) [" + Array(repeating: previous, count: 9).joined(separator: ",") + "]\n"
        }
        let (events, error) = events(text)
        #expect(error?.message.contains("aliases expand to more than") == true)
        #expect(events.count < 60_000)
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let (_, error) = events(text)
        #expect(error?.message.contains("nesting is deeper than 64") == true)
        #expect(error?.mark == YAMLMark(line: 1, column: 65))
    }

    @Test func invalidUTF8IsReportedAtItsLineAndColumn() {
        var bytes = Array("a: ok\nb: caf".utf8)
        bytes += [0xC3, 0x28]  // a broken two-byte sequence
        bytes += Array("\n".utf8)
        let reader = YAMLEventReader(bytes: bytes)
        var caught: YAMLError?
        do { while try reader.next() != nil {} } catch { caught = error }
        #expect(caught?.mark.line == 2)
        #expect(caught?.mark.column == 8)  // libyaml points at the byte that breaks the sequence
        #expect(caught?.message.contains("UTF-8") == true)
    }

    @Test func nulIsReportedAtItsPosition() {
        let reader = YAMLEventReader(bytes: Array("a: x\nb: y\u{0}z\n".utf8))
        var caught: YAMLError?
        do { while try reader.next() != nil {} } catch { caught = error }
        #expect(caught?.message == "NUL bytes are not allowed in YAML")
        #expect(caught?.mark == YAMLMark(line: 2, column: 5))
    }

    @Test func syntaxErrorsCarryLibyamlsPosition() {
        let (_, error) = events("a: [1, 2\nb: c\n")
        #expect(error != nil)
        #expect(error!.mark.line >= 2)
    }

    @Test func capturedNodesReplayInOrder() throws {
        let reader = YAMLEventReader(bytes: Array("{x: [1, 2], y: 3}".utf8))
        _ = try reader.next()  // document start
        _ = try reader.next()  // mapping start
        let key = try #require(try reader.next())
        #expect(key.value == "x")
        let first = try #require(try reader.next())
        let captured = try reader.captureNode(startingWith: first)
        #expect(captured.map(\.kind) == [.sequenceStart, .scalar, .scalar, .sequenceEnd])
        reader.replay(captured)
        let replayed = try (0..<4).map { _ in try #require(try reader.next()) }
        #expect(replayed.map(\.value) == ["", "1", "2", ""])
        #expect(try reader.next()?.value == "y")
    }

    @Test(arguments: [
        ("", 0, YAMLMark(line: 1, column: 1)),
        ("ab\ncd", 4, YAMLMark(line: 2, column: 2)),
        ("é\nx", 2, YAMLMark(line: 1, column: 2)),
        ("a\n\nb", 3, YAMLMark(line: 3, column: 1)),
    ])
    func offsetsBecomeLinesAndColumns(text: String, offset: Int, expected: YAMLMark) {
        let bytes = Array(text.utf8)
        let mark = bytes.withUnsafeBytes { YAMLMark.of(offset: offset, in: $0) }
        #expect(mark == expected)
    }

    @Test func scanCountsTokens() {
        let bytes = Array("a: 1\n".utf8)
        let count = bytes.withUnsafeBytes { YAMLScan.countTokens($0) }
        // stream start, block mapping start, key, scalar, value, scalar, block end, stream end
        #expect(count == 8)
    }
}

/// libyaml puts end-of-stream problems on a line after the last one; Roster points just
/// after the last character instead, a position that exists in the file.
@Suite struct YAMLEndOfFileMarkTests {
    func firstError(_ text: String) -> YAMLError? {
        let reader = YAMLEventReader(bytes: Array(text.utf8))
        do {
            while try reader.next() != nil {}
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("a: [", YAMLMark(line: 1, column: 5)),
        ("a: [\n", YAMLMark(line: 1, column: 5)),
        ("a: {b: 1", YAMLMark(line: 1, column: 9)),
        ("x: 1\na: [\n\n", YAMLMark(line: 3, column: 1)),
        ("é: [", YAMLMark(line: 1, column: 5)),
        ("a: 'x\r\n", YAMLMark(line: 1, column: 6)),
        ("a: \"x", YAMLMark(line: 1, column: 6)),
    ])
    func unexpectedEndIsAfterTheLastCharacter(text: String, expected: YAMLMark) throws {
        let error = try #require(firstError(text))
        #expect(error.mark == expected, "\(error.message)")
    }

    @Test func eventsAtTheEndAreInsideTheFile() throws {
        // The empty value and the mapping's end come at the end of the stream.
        let reader = YAMLEventReader(bytes: Array("a: 1\nb:".utf8))
        var marks: [YAMLMark] = []
        while let event = try reader.next() { marks.append(event.mark) }
        #expect(marks.allSatisfy { $0 <= YAMLMark(line: 2, column: 3) }, "\(marks)")
    }

    @Test(arguments: [
        ("", [0]), ("a", [1]), ("a\n", [1]), ("a\n\n", [1, 0]), ("ab\r\ncd", [2, 2]), ("a\rb", [1, 1]),
        ("é\u{2028}x\u{85}", [1, 1]),
    ])
    func linesAreLibyamlsLines(text: String, lengths: [Int]) {
        #expect(Array(text.utf8).withUnsafeBytes { YAMLMark.lineLengths(of: $0) } == lengths)
    }

    /// `end(of:)` looks only for the bytes that start a break; it must agree with walking
    /// every character (`lineLengths`) on any bytes, invalid UTF-8 included.
    @Test func theEndAgreesWithTheLinesOnAnyBytes() {
        // Breaks of every kind, their lead bytes without the rest, continuation bytes alone.
        let pieces: [[UInt8]] = [
            [0x61], [0x0A], [0x0D], [0x0D, 0x0A], [0xC2, 0x85], [0xC2], [0x85], [0xE2, 0x80, 0xA8], [0xE2, 0x80, 0xA9],
            [0xE2, 0x80], [0xE2], [0x80], [0xC3, 0xA9], [0x20],
            // Runs long enough to be skipped eight bytes at a time.
            Array(repeating: 0x61, count: 9), Array(repeating: 0x62, count: 17),
        ]
        // A fixed sequence (xorshift), so a failure is the same on the next run.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
        for _ in 0..<5_000 {
            var bytes: [UInt8] = []
            for _ in 0..<next(13) { bytes += pieces[next(pieces.count)] }
            bytes.withUnsafeBytes { buffer in
                let lengths = YAMLMark.lineLengths(of: buffer)
                let expected = YAMLMark(line: lengths.count, column: lengths.last! + 1)
                #expect(YAMLMark.end(of: buffer) == expected, "\(bytes)")
            }
        }
    }
}
