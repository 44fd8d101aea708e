public import Hummingbird
public import NIOCore

/// The request context of every route: Hummingbird's core storage, the client's address
/// (for rate limits) and a small upload limit (the server takes forms and webhooks only).
public struct RosterRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connected peer: the client, or the proxy in front of the server.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { 1 << 20 }

    /// The client's IP address as text, for per-client limits; "unknown" without one.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
