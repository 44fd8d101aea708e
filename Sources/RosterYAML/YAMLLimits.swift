/// Fixed bounds that keep a hostile file from costing more than a normal one.
public struct YAMLLimits: Sendable, Equatable {
    /// Deepest nesting of mappings and sequences accepted.
    public var maxDepth: Int
    /// Events an alias may replay in one document, summed over all aliases: this is what
    /// stops a "billion laughs" file, whose aliases would otherwise expand exponentially.
    public var maxAliasEvents: Int

    public init(maxDepth: Int = 64, maxAliasEvents: Int = 50_000) {
        self.maxDepth = maxDepth
        self.maxAliasEvents = maxAliasEvents
    }
}
