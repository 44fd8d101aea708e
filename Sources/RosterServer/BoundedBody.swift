import Hummingbird
import HTTPTypes
import NIOCore

/// Reading a request's body with a size limit and a deadline, for every route that reads
/// one (forms and webhooks): a body over `limit` is refused with 413 as soon as the limit is
/// passed (by its `Content-Length` before any of it is read, or by counting a chunked one),
/// and one that has not arrived within `timeout` (a client trickling bytes) with 408.
enum BoundedBody {
    static func collect(_ request: Request, limit: Int, timeout: Duration) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw HTTPError(.contentTooLarge, message: "The body is over \(limit) bytes.")
        }
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                var collected = ByteBuffer()
                for try await chunk in request.body {
                    guard collected.readableBytes + chunk.readableBytes <= limit else {
                        throw HTTPError(.contentTooLarge, message: "The body is over \(limit) bytes.")
                    }
                    collected.writeImmutableBuffer(chunk)
                }
                return collected
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let body = first else {
                throw HTTPError(.requestTimeout, message: "The body did not arrive in time.")
            }
            return body
        }
    }
}
