/// One problem found in the manifests or the source, with where it is and what to do.
public struct Diagnostic: Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case warning, error
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    public var severity: Severity
    /// Path of the file inside the source (repository or folder), "" for the source itself.
    public var file: String
    /// 1-based; 1:1 for a problem without a natural position.
    public var line: Int
    public var column: Int
    /// The field, e.g. `spec.members[3].role`; nil for file-level problems.
    public var path: String?
    /// A plain sentence.
    public var message: String
    /// What to write instead, when there is a likely answer.
    public var suggestion: String?

    public init(
        _ severity: Severity, file: String, line: Int = 1, column: Int = 1, path: String? = nil,
        message: String, suggestion: String? = nil
    ) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
        self.suggestion = suggestion
    }

    public init(
        _ severity: Severity, file: String, at position: SourcePosition, path: String? = nil,
        message: String, suggestion: String? = nil
    ) {
        self.init(
            severity, file: file, line: Int(position.line), column: Int(position.column), path: path,
            message: message, suggestion: suggestion)
    }

    /// Orders diagnostics by file, then position, then message, as reports list them.
    public static func reportOrder(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        (a.file, a.line, a.column, a.message) < (b.file, b.line, b.column, b.message)
    }

    /// `file:line:column`, the place editors and terminals jump to.
    public var location: String { file.isEmpty ? "" : "\(file):\(line):\(column)" }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}

extension Diagnostic {
    enum CodingKeys: String, CodingKey {
        case severity, file, line, column, path, message, suggestion
    }

    /// Writes every field, `null` included, so JSON readers see a fixed shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(severity, forKey: .severity)
        try container.encode(file, forKey: .file)
        try container.encode(line, forKey: .line)
        try container.encode(column, forKey: .column)
        try container.encode(path, forKey: .path)
        try container.encode(message, forKey: .message)
        try container.encode(suggestion, forKey: .suggestion)
    }
}

/// A diagnostic can stand for a failed read (`Result<SourceFile, Diagnostic>`).
extension Diagnostic: Error {}
