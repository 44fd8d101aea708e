import Foundation
import Hummingbird
import HTTPTypes
import Mustache

/// Renders the server's HTML pages from `Templates` and wraps them in responses with the
/// security headers every page carries.
struct Pages: Sendable {
    private let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        for (name, template) in Templates.all {
            // The templates are part of the binary and covered by tests: one that does not
            // compile is a programming error, not a runtime condition.
            try! library.register(template, named: name)
        }
        self.library = library
    }

    /// An HTML response: `template` rendered with `values` (HTML-escaped by Mustache).
    func render(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        -> Response
    {
        let html = library.render(values, withTemplate: template) ?? ""
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A page with one heading and one sentence.
    func message(
        _ heading: String, _ text: String, status: HTTPResponse.Status, base: [String: Any] = [:], headers: HTTPFields = [:]
    ) -> Response {
        var values = base
        values["title"] = heading
        values["heading"] = heading
        values["text"] = text
        return render("message", values, status: status, headers: headers)
    }
}
