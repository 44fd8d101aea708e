/// One file read from a manifest source.
public struct SourceFile: Sendable {
    /// Path inside the source, with `/` separators.
    public var path: String
    public var bytes: [UInt8]
    /// The git blob id when the file came from git.
    public var blobID: String?

    public init(path: String, bytes: [UInt8], blobID: String? = nil) {
        self.path = path
        self.bytes = bytes
        self.blobID = blobID
    }
}
