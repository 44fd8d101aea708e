import Hummingbird
import HTTPTypes
import Logging

/// Headers on every response, errors included: no referrer (invitation links carry secrets
/// in the path), no sniffing, no framing, and a Content-Security-Policy that allows the
/// stylesheet, the one static script of the copy buttons (`/assets/copy.js`, nothing inline)
/// and same-origin forms, and nothing else.
///
/// It is the router's first middleware, so it also sees Hummingbird's own answers (404 for
/// no route, 413 from a body limit): every error becomes its response here, is logged (by
/// route pattern, never the path, which may hold an invitation token), and gets the headers.
/// An error that is no `HTTPResponseError` is a bug: a 500 with a short text, logged as one.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
            + "base-uri 'none'"
    }

    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
            let level: Logger.Level = error.status.code >= 500 ? .error : .info
            logger.log(
                level: level, "request refused",
                metadata: [
                    "status": "\(error.status.code)", "method": "\(request.method)", "route": "\(Self.route(context))",
                    "reason": "\((error as? HTTPError)?.body ?? error.status.reasonPhrase)",
                ])
        } catch {
            logger.error(
                "request failed", metadata: ["method": "\(request.method)", "route": "\(Self.route(context))", "error": "\(error)"])
            response = Response(
                status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "Something went wrong on the server; it has been logged.\n")))
        }
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return response
    }

    /// The matched route's pattern (`/invite/:token`), or "-" when none matched.
    private static func route(_ context: Context) -> String { context.coreContext.endpointPath.value ?? "-" }
}
