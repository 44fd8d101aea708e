public import Hummingbird

/// The request context of every route: Hummingbird's core storage and a small upload limit
/// (the server takes forms and webhooks only).
public struct RosterRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { 1 << 20 }
}
