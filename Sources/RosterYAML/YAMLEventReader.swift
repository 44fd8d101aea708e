internal import CYAML

/// Reads a YAML stream event by event with libyaml, without building a node tree.
///
/// The reader is a cursor: `advance()` moves to the next event, whose kind, position and
/// scalar bytes are read in place (`scalar` points into libyaml's event, which is held until
/// the next `advance()`), so a decoder makes a `String` only for the values it keeps.
/// `next()` returns the event as a `YAMLEvent` value instead, for code that is not a hot loop.
///
/// Aliases are expanded here by replaying the events recorded for their anchor, within
/// `YAMLLimits.maxAliasEvents`; nesting beyond `YAMLLimits.maxDepth` is an error. The
/// reader is a class because libyaml keeps pointers into its parser struct: the struct is
/// allocated once and never moves.
public final class YAMLEventReader {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    /// libyaml's current event, while `holdsEvent`: its scalar is read in place.
    private let raw: UnsafeMutablePointer<yaml_event_t>
    private var holdsEvent = false
    private let input: UnsafeMutableRawBufferPointer
    private let inputCount: Int
    private let limits: YAMLLimits

    /// The current event's kind.
    public private(set) var kind: YAMLEvent.Kind = .documentStart
    /// How the current scalar was written.
    public private(set) var style: YAMLEvent.ScalarStyle = .plain
    /// The current event's resolved tag when one was written.
    public private(set) var tag: String?
    /// The current scalar's UTF-8 bytes, valid until the next `advance()`; empty for other events.
    public private(set) var scalar = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// libyaml's position of the current event, made a `YAMLMark` only when asked (`mark`).
    private var rawMark = yaml_mark_t()
    /// The position of a replayed event, which has one already.
    private var replayedMark: YAMLMark?
    /// Where a replayed scalar's bytes are copied, so `scalar` is read the same way for both.
    private var replayBytes = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)

    private struct Replay {
        var events: [YAMLEvent]
        var index = 0
        /// Alias expansions are recorded into enclosing anchors; a decoder's own replays
        /// (of events it already read once) are not.
        var isAlias: Bool
    }
    private struct Recording {
        var anchor: String
        var depth: Int
        var events: [YAMLEvent]
    }
    private var replays: [Replay] = []
    private var recordings: [Recording] = []
    private var anchors: [String: [YAMLEvent]] = [:]
    private var depth = 0
    private var aliasEvents = 0
    private var ended = false
    /// Where the input ends (`YAMLMark.end(of:)`), worked out the first time it is needed.
    private var endMark: YAMLMark?

    /// Copies `bytes` (libyaml reads them lazily) and prepares a UTF-8 parser.
    /// Manifests are UTF-8: a UTF-8 byte order mark is dropped, and libyaml is told the
    /// encoding rather than guessing it from the first bytes.
    public init(bytes: [UInt8], limits: YAMLLimits = YAMLLimits()) {
        self.limits = limits
        let skip = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let count = bytes.count - skip
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 1)
        bytes.withUnsafeBytes { input.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[skip...])) }
        self.input = input
        parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        yaml_parser_initialize(parser)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, input.baseAddress!.assumingMemoryBound(to: UInt8.self), count)
        raw = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        inputCount = count
    }

    deinit {
        if holdsEvent { yaml_event_delete(raw) }
        raw.deallocate()
        replayBytes.deallocate()
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    // MARK: The current event

    /// The current event's position.
    public var mark: YAMLMark { replayedMark ?? mark(rawMark) }

    /// Whether the current event opens a mapping or a sequence.
    @inlinable public var opensCollection: Bool { kind == .mappingStart || kind == .sequenceStart }
    /// Whether the current event closes a mapping or a sequence.
    @inlinable public var closesCollection: Bool { kind == .mappingEnd || kind == .sequenceEnd }

    /// Whether the current event is a plain, untagged scalar whose text is YAML 1.2's null.
    public var isNull: Bool {
        guard kind == .scalar, style == .plain, tag == nil else { return false }
        switch scalar.count {
        case 0: return true
        case 1: return scalar[0] == UInt8(ascii: "~")
        case 4: return YAMLEvent.nulls.contains { $0.elementsEqual(scalar) }
        default: return false
        }
    }

    /// The current scalar's text as a `String`.
    public var text: String { String(decoding: scalar, as: UTF8.self) }

    /// The current event as a value that outlives the next `advance()`.
    public var event: YAMLEvent {
        YAMLEvent(kind: kind, mark: mark, value: kind == .scalar ? text : "", style: style, tag: tag)
    }

    // MARK: Reading

    /// The next event, or nil at the end of the stream.
    public func next() throws(YAMLError) -> YAMLEvent? {
        try advance() ? event : nil
    }

    /// Moves to the next event; false at the end of the stream.
    public func advance() throws(YAMLError) -> Bool {
        if holdsEvent {
            yaml_event_delete(raw)
            holdsEvent = false
        }
        while true {
            if var replay = replays.popLast() {
                let event = replay.events[replay.index]
                replay.index += 1
                let isAlias = replay.isAlias
                if replay.index < replay.events.count { replays.append(replay) }
                take(event)
                try track(record: isAlias)
                return true
            }
            if ended { return false }
            guard yaml_parser_parse(parser, raw) != 0 else { throw currentError() }
            var anchor: UnsafeMutablePointer<yaml_char_t>? = nil
            var tag: UnsafeMutablePointer<yaml_char_t>? = nil
            switch raw.pointee.type {
            case YAML_STREAM_START_EVENT:
                yaml_event_delete(raw)
                continue
            case YAML_STREAM_END_EVENT:
                yaml_event_delete(raw)
                ended = true
                return false
            case YAML_DOCUMENT_START_EVENT:
                anchors.removeAll(keepingCapacity: true)
                recordings.removeAll(keepingCapacity: true)
                aliasEvents = 0
                kind = .documentStart
            case YAML_DOCUMENT_END_EVENT:
                kind = .documentEnd
            case YAML_ALIAS_EVENT:
                let name = Self.string(raw.pointee.data.alias.anchor)
                let mark = self.mark(raw.pointee.start_mark)
                yaml_event_delete(raw)
                try expand(alias: name, at: mark)
                continue
            case YAML_SCALAR_EVENT:
                let value = raw.pointee.data.scalar
                kind = .scalar
                scalar = UnsafeBufferPointer(start: value.value, count: Int(value.length))
                switch value.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: style = .literal
                case YAML_FOLDED_SCALAR_STYLE: style = .folded
                default: style = .plain
                }
                anchor = value.anchor
                tag = value.tag
            // libyaml keeps a collection's anchor and tag in a union member of its kind.
            case YAML_SEQUENCE_START_EVENT:
                let start = raw.pointee.data.sequence_start
                (kind, anchor, tag) = (.sequenceStart, start.anchor, start.tag)
            case YAML_MAPPING_START_EVENT:
                let start = raw.pointee.data.mapping_start
                (kind, anchor, tag) = (.mappingStart, start.anchor, start.tag)
            case YAML_SEQUENCE_END_EVENT:
                kind = .sequenceEnd
            case YAML_MAPPING_END_EVENT:
                kind = .mappingEnd
            default:
                yaml_event_delete(raw)
                continue
            }
            holdsEvent = true
            if kind != .scalar { scalar = UnsafeBufferPointer(start: nil, count: 0) }
            style = kind == .scalar ? style : .plain
            self.tag = tag.map { Self.string($0) }
            rawMark = raw.pointee.start_mark
            replayedMark = nil
            try track(record: true)
            if let anchor {
                let name = Self.string(anchor)
                if kind == .scalar {
                    anchors[name] = [self.event]
                } else {
                    recordings.append(Recording(anchor: name, depth: depth, events: [self.event]))
                }
            }
            return true
        }
    }

    /// Makes a replayed `event` the current one.
    private func take(_ event: YAMLEvent) {
        kind = event.kind
        style = event.style
        tag = event.tag
        replayedMark = event.mark
        var value = event.value
        scalar = value.withUTF8 { bytes in
            if bytes.count > replayBytes.count {
                replayBytes.deallocate()
                replayBytes = .allocate(capacity: bytes.count)
            }
            _ = replayBytes.initialize(fromContentsOf: bytes)
            return UnsafeBufferPointer(rebasing: replayBytes[..<bytes.count])
        }
    }

    /// Replays the events recorded for the anchor `name` in place of its alias, within the
    /// expansion budget.
    private func expand(alias name: String, at mark: YAMLMark) throws(YAMLError) {
        guard let events = anchors[name] else {
            throw YAMLError("alias *\(name) refers to no anchor defined before it", at: mark)
        }
        aliasEvents += events.count
        if aliasEvents > limits.maxAliasEvents {
            throw YAMLError(
                "aliases expand to more than \(limits.maxAliasEvents) values in this document; "
                    + "write the values out instead of nesting aliases", at: mark)
        }
        replays.append(Replay(events: events, isAlias: true))
    }

    /// Reads the rest of a node whose first event is `first`, returning all its events.
    public func captureNode(startingWith first: YAMLEvent) throws(YAMLError) -> [YAMLEvent] {
        var events = [first]
        guard first.opensCollection else { return events }
        var open = 1
        while open > 0, try advance() {
            events.append(event)
            if opensCollection { open += 1 } else if closesCollection { open -= 1 }
        }
        return events
    }

    /// Skips the rest of a node whose first event is `first`.
    public func skipNode(startingWith first: YAMLEvent) throws(YAMLError) {
        if first.opensCollection { try skipRest() }
    }

    /// Skips the rest of the node the current event starts.
    public func skipCurrent() throws(YAMLError) {
        if opensCollection { try skipRest() }
    }

    private func skipRest() throws(YAMLError) {
        var open = 1
        while open > 0, try advance() {
            if opensCollection { open += 1 } else if closesCollection { open -= 1 }
        }
    }

    /// Makes `events` (captured earlier with `captureNode`) the next ones `next()` returns.
    public func replay(_ events: [YAMLEvent]) {
        guard !events.isEmpty else { return }
        replays.append(Replay(events: events, isAlias: false))
    }

    @inline(__always)
    private func track(record: Bool) throws(YAMLError) {
        if opensCollection {
            depth += 1
            if depth > limits.maxDepth {
                throw YAMLError("nesting is deeper than \(limits.maxDepth) levels", at: mark)
            }
        }
        // Apart, so the usual event (no anchor being recorded) is never made a value.
        if record, !recordings.isEmpty { self.record(event) }
        if closesCollection { depth -= 1 }
    }

    /// Adds `event` to every anchor being recorded, and ends the innermost one it closes.
    @inline(never)
    private func record(_ event: YAMLEvent) {
        for index in recordings.indices { recordings[index].events.append(event) }
        if event.closesCollection, let last = recordings.last, last.depth == depth {
            anchors[last.anchor] = last.events
            recordings.removeLast()
        }
    }

    private func currentError() -> YAMLError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown YAML error"
        if p.error == YAML_READER_ERROR {
            let mark = YAMLMark.of(
                offset: Int(p.problem_offset), in: UnsafeRawBufferPointer(rebasing: input[..<inputCount]))
            var message = problem
            if p.problem_value == 0, problem.contains("control characters") {
                message = "NUL bytes are not allowed in YAML"
            } else if p.problem_value != -1 {
                message += " (byte 0x" + String(p.problem_value, radix: 16, uppercase: true) + ")"
            }
            return YAMLError(message, at: mark)
        }
        if p.error == YAML_MEMORY_ERROR { return YAMLError("out of memory while parsing YAML", at: .start) }
        let mark = problemMark(p.problem_mark)
        let index = Int(p.problem_mark.index)
        if index < inputCount, input[index] == UInt8(ascii: "\t") {
            return YAMLError("a tab character cannot indent YAML here; indent with spaces", at: mark)
        }
        if let context = p.context.map({ String(cString: $0) }) {
            return YAMLError("\(problem) \(context)", at: mark)
        }
        return YAMLError(problem, at: mark)
    }

    /// libyaml's mark as a position in the file. At the end of the input libyaml moves its
    /// mark to column 0 of a line after the last one; the end is just after the last
    /// character instead. libyaml's index counts characters, hence `characterCount`, only
    /// looked at when the mark is where the scanner is (it is usually a token ahead).
    private func mark(_ raw: yaml_mark_t) -> YAMLMark {
        let index = Int(raw.index)
        if raw.column == 0,
            index >= inputCount || (index > 0 && index == Int(parser.pointee.mark.index) && index >= characterCount)
        {
            return end()
        }
        return YAMLMark(line: Int(raw.line) + 1, column: Int(raw.column) + 1)
    }

    /// A problem's position, moved inside the file if libyaml put it past a line's end.
    private func problemMark(_ raw: yaml_mark_t) -> YAMLMark {
        let mark = mark(raw)
        let lengths = YAMLMark.lineLengths(of: UnsafeRawBufferPointer(rebasing: input[..<inputCount]))
        guard mark.line <= lengths.count else { return end() }
        return YAMLMark(line: max(mark.line, 1), column: min(max(mark.column, 1), lengths[mark.line - 1] + 1))
    }

    private func end() -> YAMLMark {
        if let endMark { return endMark }
        let end = YAMLMark.end(of: UnsafeRawBufferPointer(rebasing: input[..<inputCount]))
        endMark = end
        return end
    }

    /// Characters in the input (UTF-8 lead bytes), counted the first time a mark needs it:
    /// only for a non-ASCII file, at its end.
    private lazy var characterCount: Int = {
        var count = 0
        for byte in UnsafeRawBufferPointer(rebasing: input[..<inputCount]) where byte & 0xC0 != 0x80 { count &+= 1 }
        return count
    }()

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>) -> String {
        String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether both hold the same bytes: for the short texts a decoder compares (keys,
    /// roles), a loop the optimiser unrolls, without `elementsEqual`'s generic iteration.
    @inlinable public func bytesEqual(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        for index in 0..<count where self[index] != other[index] { return false }
        return true
    }
}
