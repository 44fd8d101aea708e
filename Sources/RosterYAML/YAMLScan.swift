internal import CYAML

/// libyaml on its own, with no decoding: the floor any YAML-driven tool is measured against.
public enum YAMLScan {
    /// Scans `bytes` into tokens and discards them; returns the token count, or nil on error.
    public static func countTokens(_ bytes: UnsafeRawBufferPointer) -> Int? {
        // libyaml keeps pointers into the parser struct: give it a fixed address.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else { return nil }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_input_string(
            parser, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        var count = 0
        var token = yaml_token_t()
        while true {
            guard yaml_parser_scan(parser, &token) != 0 else { return nil }
            defer { yaml_token_delete(&token) }
            count += 1
            if token.type == YAML_STREAM_END_TOKEN { return count }
        }
    }
}
