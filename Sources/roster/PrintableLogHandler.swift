import Logging
import RosterCore

/// The server's log lines with control characters escaped in the message and metadata: a
/// value from a manifest, a commit or a request cannot forge a log line (`PrintableText`).
struct PrintableLogHandler: LogHandler {
    var wrapped: StreamLogHandler

    var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = Self.printable(newValue) }
    }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key.printable] = newValue.map(Self.printable) }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: event.message.description.printable)
        event.metadata = event.metadata.map(Self.printable)
        wrapped.log(event: event)
    }

    static func printable(_ metadata: Logger.Metadata) -> Logger.Metadata {
        Dictionary(metadata.map { ($0.key.printable, printable($0.value)) }, uniquingKeysWith: { first, _ in first })
    }

    static func printable(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(text.printable)
        case .stringConvertible(let convertible): .string(convertible.description.printable)
        case .array(let values): .array(values.map(printable))
        case .dictionary(let metadata): .dictionary(printable(metadata))
        }
    }
}
