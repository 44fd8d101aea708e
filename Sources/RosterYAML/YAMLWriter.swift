internal import CYAML

/// Writes YAML with libyaml's emitter, so quoting and escaping are always right.
/// Build a document with `mapping`, `sequence` and `scalar`, then take `finish()`.
public final class YAMLWriter {
    private let emitter: UnsafeMutablePointer<yaml_emitter_t>
    private let output: Output
    private var failure: String?

    private final class Output {
        var bytes: [UInt8] = []
    }

    /// How a scalar is written: `.plain` leaves the choice to libyaml, `.string` quotes
    /// text that a YAML reader could take for something else (`no`, `0755`, `~`, `1e3`).
    public enum ScalarKind { case plain, string }

    public init() {
        emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
        output = Output()
        yaml_emitter_initialize(emitter)
        yaml_emitter_set_unicode(emitter, 1)
        yaml_emitter_set_width(emitter, -1)
        yaml_emitter_set_indent(emitter, 2)
        yaml_emitter_set_output(emitter, { context, buffer, size in
            let output = Unmanaged<Output>.fromOpaque(context!).takeUnretainedValue()
            output.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, Unmanaged.passUnretained(output).toOpaque())
        emit { yaml_stream_start_event_initialize($0, YAML_UTF8_ENCODING) }
    }

    deinit {
        yaml_emitter_delete(emitter)
        emitter.deallocate()
    }

    /// Starts a document, with an explicit `---` when `explicit`.
    public func beginDocument(explicit: Bool = false) {
        emit { yaml_document_start_event_initialize($0, nil, nil, nil, explicit ? 0 : 1) }
    }

    public func endDocument() {
        emit { yaml_document_end_event_initialize($0, 1) }
    }

    /// A mapping whose entries `body` writes (key, value, key, value…).
    public func mapping(flow: Bool = false, _ body: () -> Void) {
        emit { yaml_mapping_start_event_initialize($0, nil, nil, 1, flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE) }
        body()
        emit { yaml_mapping_end_event_initialize($0) }
    }

    /// A sequence whose items `body` writes.
    public func sequence(flow: Bool = false, _ body: () -> Void) {
        emit { yaml_sequence_start_event_initialize($0, nil, nil, 1, flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE) }
        body()
        emit { yaml_sequence_end_event_initialize($0) }
    }

    public func scalar(_ value: String, _ kind: ScalarKind = .string) {
        let quoted = kind == .string && Self.isAmbiguous(value)
        var bytes = Array(value.utf8)
        emit { event in
            bytes.withUnsafeMutableBufferPointer { buffer in
                yaml_scalar_event_initialize(
                    event, nil, nil, buffer.baseAddress, Int32(buffer.count), 1, 1,
                    quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE)
            }
        }
    }

    /// `key: value` in the current mapping.
    public func pair(_ key: String, _ value: String, _ kind: ScalarKind = .string) {
        scalar(key)
        scalar(value, kind)
    }

    /// The YAML text, or the emitter's error.
    public func finish() throws(YAMLError) -> String {
        emit { yaml_stream_end_event_initialize($0) }
        yaml_emitter_flush(emitter)
        if let failure { throw YAMLError(failure, at: .start) }
        return String(decoding: output.bytes, as: UTF8.self)
    }

    private func emit(_ initialize: (UnsafeMutablePointer<yaml_event_t>) -> Int32) {
        guard failure == nil else { return }
        var event = yaml_event_t()
        guard initialize(&event) != 0, yaml_emitter_emit(emitter, &event) != 0 else {
            failure = emitter.pointee.problem.map { String(cString: $0) } ?? "cannot write YAML"
            return
        }
    }

    /// The plain scalars YAML 1.1 or 1.2 reads as null, a boolean or a special number.
    private static let words: Set<String> = [
        "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", "-.inf", "+.inf", ".nan",
    ]

    /// Whether a plain scalar with this text could be read as something other than a string
    /// by a YAML 1.1 or 1.2 reader.
    static func isAmbiguous(_ value: String) -> Bool {
        if value.isEmpty { return true }
        // Only a short text can be one of the words (the longest has five letters): an export
        // checks every address, and lowercasing each and building the set per call was a
        // third of exporting the reference corpus.
        if value.utf8.count <= 5, Self.words.contains(value.lowercased()) { return true }
        let numberish = value.allSatisfy { $0.isNumber || "+-._eExXoObB:".contains($0) || $0.isHexDigit }
        return numberish && value.first.map { $0.isNumber || "+-.".contains($0) } == true
    }
}
