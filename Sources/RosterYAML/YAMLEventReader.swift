internal import CYAML

/// Reads a YAML stream event by event with libyaml, without building a node tree.
///
/// Aliases are expanded here by replaying the events recorded for their anchor, within
/// `YAMLLimits.maxAliasEvents`; nesting beyond `YAMLLimits.maxDepth` is an error. The
/// reader is a class because libyaml keeps pointers into its parser struct: the struct is
/// allocated once and never moves.
public final class YAMLEventReader {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableRawBufferPointer
    private let inputCount: Int
    private let limits: YAMLLimits

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
        inputCount = count
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    /// The next event, or nil at the end of the stream.
    public func next() throws(YAMLError) -> YAMLEvent? {
        if var replay = replays.popLast() {
            let event = replay.events[replay.index]
            replay.index += 1
            let isAlias = replay.isAlias
            if replay.index < replay.events.count { replays.append(replay) }
            try track(event, record: isAlias)
            return event
        }
        if ended { return nil }

        var raw = yaml_event_t()
        guard yaml_parser_parse(parser, &raw) != 0 else { throw currentError() }
        // What the event holds is copied out and libyaml's event freed on every path by hand:
        // with a `defer`, each returned event would be copied and the local one destroyed.
        let mark = self.mark(raw.start_mark)
        let event: YAMLEvent
        var anchor: String? = nil
        switch raw.type {
        case YAML_STREAM_START_EVENT:
            yaml_event_delete(&raw)
            return try next()
        case YAML_STREAM_END_EVENT:
            yaml_event_delete(&raw)
            ended = true
            return nil
        case YAML_DOCUMENT_START_EVENT:
            anchors.removeAll(keepingCapacity: true)
            recordings.removeAll(keepingCapacity: true)
            aliasEvents = 0
            event = YAMLEvent(kind: .documentStart, mark: mark)
        case YAML_DOCUMENT_END_EVENT:
            event = YAMLEvent(kind: .documentEnd, mark: mark)
        case YAML_ALIAS_EVENT:
            let name = Self.string(raw.data.alias.anchor)
            yaml_event_delete(&raw)
            return try expand(alias: name, at: mark)
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            let value = String(
                decoding: UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length)), as: UTF8.self)
            let style: YAMLEvent.ScalarStyle
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            anchor = scalar.anchor.map { Self.string($0) }
            event = YAMLEvent(
                kind: .scalar, mark: mark, value: value, style: style,
                tag: scalar.tag.map { Self.string($0) })
        case YAML_SEQUENCE_START_EVENT:
            anchor = raw.data.sequence_start.anchor.map { Self.string($0) }
            event = YAMLEvent(
                kind: .sequenceStart, mark: mark, tag: raw.data.sequence_start.tag.map { Self.string($0) })
        case YAML_SEQUENCE_END_EVENT:
            event = YAMLEvent(kind: .sequenceEnd, mark: mark)
        case YAML_MAPPING_START_EVENT:
            anchor = raw.data.mapping_start.anchor.map { Self.string($0) }
            event = YAMLEvent(
                kind: .mappingStart, mark: mark, tag: raw.data.mapping_start.tag.map { Self.string($0) })
        case YAML_MAPPING_END_EVENT:
            event = YAMLEvent(kind: .mappingEnd, mark: mark)
        default:
            yaml_event_delete(&raw)
            return try next()
        }
        yaml_event_delete(&raw)
        try track(event, record: true)
        if let anchor {
            if event.kind == .scalar {
                anchors[anchor] = [event]
            } else {
                recordings.append(Recording(anchor: anchor, depth: depth, events: [event]))
            }
        }
        return event
    }

    /// Replays the events recorded for the anchor `name` in place of its alias, within the
    /// expansion budget.
    private func expand(alias name: String, at mark: YAMLMark) throws(YAMLError) -> YAMLEvent? {
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
        return try next()
    }

    /// Reads the rest of a node whose first event is `first`, returning all its events.
    public func captureNode(startingWith first: YAMLEvent) throws(YAMLError) -> [YAMLEvent] {
        var events = [first]
        guard first.opensCollection else { return events }
        var open = 1
        while open > 0, let event = try next() {
            events.append(event)
            if event.opensCollection { open += 1 } else if event.closesCollection { open -= 1 }
        }
        return events
    }

    /// Skips the rest of a node whose first event is `first`.
    public func skipNode(startingWith first: YAMLEvent) throws(YAMLError) {
        guard first.opensCollection else { return }
        var open = 1
        while open > 0, let event = try next() {
            if event.opensCollection { open += 1 } else if event.closesCollection { open -= 1 }
        }
    }

    /// Makes `events` (captured earlier with `captureNode`) the next ones `next()` returns.
    public func replay(_ events: [YAMLEvent]) {
        guard !events.isEmpty else { return }
        replays.append(Replay(events: events, isAlias: false))
    }

    @inline(__always)
    private func track(_ event: YAMLEvent, record: Bool) throws(YAMLError) {
        if event.opensCollection {
            depth += 1
            if depth > limits.maxDepth {
                throw YAMLError("nesting is deeper than \(limits.maxDepth) levels", at: event.mark)
            }
        }
        // Apart, so the usual event (no anchor being recorded) is never copied.
        if record, !recordings.isEmpty { self.record(event) }
        if event.closesCollection { depth -= 1 }
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
