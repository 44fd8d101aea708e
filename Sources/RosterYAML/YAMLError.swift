/// A YAML problem with the position where it was found.
public struct YAMLError: Error, Sendable, Equatable {
    public var message: String
    public var mark: YAMLMark

    public init(_ message: String, at mark: YAMLMark) {
        self.message = message
        self.mark = mark
    }
}
