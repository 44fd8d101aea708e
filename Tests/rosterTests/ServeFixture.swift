import Foundation
import RosterTestSupport
import Testing

// Running `roster serve` (and other servers) as child processes on 127.0.0.1, and talking
// HTTP to them, for the browser test and the serve tests.

/// A child process that answers HTTP on `baseURL`.
struct Listener {
    let process: BackgroundProcess
    let baseURL: String
}

/// `roster serve` with `source` (default: the examples folder) on a free port: a port found
/// free can be taken before the server binds it, so a server that exits while starting is
/// tried again. With `explicitBaseURL` false, no `--base-url` is given.
func startServer(
    _ workspace: Workspace, http: HTTPClient, source: [String] = ["--dir", examples], extra: [String] = ["--interval", "1h"],
    explicitBaseURL: Bool = true
) async throws -> Listener {
    let binary = try #require(rosterBinary, "the roster executable was not found; build with --build-tests")
    var attempts: [String] = []
    for _ in 0..<3 {
        let baseURL = "http://127.0.0.1:\(try freePort())"
        let process = try withSIGTERMUnblocked {
            try BackgroundProcess(
                binary,
                [
                    "serve", "--store", workspace.storeURL, "--listen", String(baseURL.dropFirst("http://".count)),
                ] + (explicitBaseURL ? ["--base-url", baseURL] : []) + source + extra,
                in: workspace.folder, environment: workspace.environment)
        }
        let up = await eventually(while: process.process.isRunning) { await http.text("\(baseURL)/healthz") == "ok\n" }
        if up && process.process.isRunning { return Listener(process: process, baseURL: baseURL) }
        attempts.append(stop(process).description)
    }
    throw SetupError(description: "roster serve did not start:\n\(attempts.joined(separator: "\n"))")
}

/// A port on 127.0.0.1 that nothing listens on at the moment: the kernel's choice for port 0.
func freePort() throws -> Int {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw SetupError(description: "socket() failed: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
        }
    }
    guard bound else { throw SetupError(description: "bind() to 127.0.0.1:0 failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A child process or socket the test needs could not be set up.
struct SetupError: Error, CustomStringConvertible {
    var description: String
}

/// Runs `start` with SIGTERM unblocked on the calling thread. Foundation's Process passes the
/// spawning thread's signal mask on to the child, and the test's threads (libdispatch
/// workers) block SIGTERM: chromedriver would never see the SIGTERM that stops it.
func withSIGTERMUnblocked<T>(_ start: () throws -> T) rethrows -> T {
    #if os(Linux)
    var terminate = sigset_t()
    var previous = sigset_t()
    sigemptyset(&terminate)
    sigaddset(&terminate, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &terminate, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    #endif
    return try start()
}

/// Sends SIGTERM and waits for the process to end (SIGKILL if it has not within 20 s, so a
/// hung child cannot hang the test); what it printed and how it ended.
@discardableResult
func stop(_ process: BackgroundProcess) -> Run {
    if process.process.isRunning {
        kill(process.pid, SIGTERM)
        if !poll(upTo: .seconds(20), { !process.process.isRunning }) { kill(process.pid, SIGKILL) }
    }
    return process.wait()
}

/// Checks `condition` every 50 ms until it holds, `running` turns false, or `limit` passes
/// (a bound against hanging, not a timing assertion); whether it held.
func eventually(
    upTo limit: Duration = .seconds(30), while running: @autoclosure () -> Bool = true, _ condition: () async -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while running() {
        if await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return false
}

// MARK: HTTP

/// Plain HTTP/1.1 to 127.0.0.1, one connection per request (`Connection: close`).
///
/// Not URLSession: the toolchain's FoundationNetworking (swift-corelibs-foundation before
/// PR #5527) rejects a response header with no space after the colon, which is valid HTTP
/// (RFC 9110 5.5) and is how chromedriver writes every header (`Content-Length:249`):
/// each request fails with NSURLErrorDomain -1, "Failed writing header". Once the fix ships,
/// `exchange` can become `URLSession.data(for:)`.
struct HTTPClient {
    struct Response {
        var status: Int
        var body: Data
        /// Header fields, names lowercased (a repeated field keeps its last value).
        var fields: [String: String] = [:]
    }

    /// The body of a 200 answer as text; nil for anything else, such as a refused connection.
    func text(_ url: String) async -> String? {
        guard let response = try? await request("GET", url, timeoutSeconds: 5), response.status == 200 else { return nil }
        return String(decoding: response.body, as: UTF8.self)
    }

    /// A WebDriver command: JSON in, the answer's `value` out; WebDriver's errors thrown.
    func json(_ method: String, _ url: String, _ body: [String: Any]? = nil) async throws -> Any? {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let response = try await request(method, url, body: payload, timeoutSeconds: 60)
        let value = (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["value"]
        guard response.status == 200 else {
            let error = value as? [String: Any]
            let code = error?["error"] as? String ?? ""
            throw WebDriverError(
                code: code,
                description: "\(method) \(url): HTTP \(response.status) \(code): "
                    + "\(error?["message"] ?? String(decoding: response.body, as: UTF8.self))")
        }
        return value
    }

    /// Sends one request on its own thread (the socket calls block) and returns the answer.
    func request(
        _ method: String, _ url: String, body: Data? = nil, headers: [String: String] = [:], timeoutSeconds: Int
    ) async throws -> Response {
        let parts = try #require(URLComponents(string: url), "not a URL: \(url)")
        let (host, port) = (parts.host ?? "", parts.port ?? 80)
        try #require(host == "127.0.0.1", "the tests talk to 127.0.0.1 only, not \(url)")
        let target = (parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath)
            + (parts.percentEncodedQuery.map { "?" + $0 } ?? "")
        return try await offloaded {
            try Self.exchange(method, target, port: port, body: body, headers: headers, timeoutSeconds: timeoutSeconds)
        }
    }

    private static func exchange(
        _ method: String, _ target: String, port: Int, body: Data?, headers: [String: String], timeoutSeconds: Int
    ) throws -> Response {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let noSignal = Int32(MSG_NOSIGNAL)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        let noSignal: Int32 = 0
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        guard fd >= 0 else { throw HTTPError(description: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw HTTPError(description: "cannot connect to 127.0.0.1:\(port): errno \(errno)") }

        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nAccept: */*\r\n"
        if let body {
            if headers["Content-Type"] == nil { head += "Content-Type: application/json; charset=utf-8\r\n" }
            head += "Content-Length: \(body.count)\r\n"
        }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        var outgoing = Data((head + "\r\n").utf8)
        outgoing.append(body ?? Data())
        try outgoing.withUnsafeBytes { bytes in
            var sent = 0
            while sent < bytes.count {
                let count = send(fd, bytes.baseAddress! + sent, bytes.count - sent, noSignal)
                // The tests' child processes send SIGCHLD: an interrupted call is retried.
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw HTTPError(description: "\(method) \(target): send failed: errno \(errno)") }
                sent += count
            }
        }

        // Read until the peer closes, or the Content-Length is reached.
        var incoming = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !isComplete(incoming) {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            if count == 0 { break }
            guard count > 0 else {
                throw HTTPError(description: "\(method) \(target) on port \(port): no answer (errno \(errno))")
            }
            incoming.append(contentsOf: buffer[0..<count])
        }
        return try parse(incoming, what: "\(method) \(target)")
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// The header block, its `name: value` fields (names lowercased) and where the body starts.
    private static func header(_ data: Data) -> (lines: [String], fields: [String: String], bodyStart: Data.Index)? {
        guard let end = data.firstRange(of: Data("\r\n\r\n".utf8)) else { return nil }
        let lines = String(decoding: data[data.startIndex..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (lines, fields, end.upperBound)
    }

    private static func isComplete(_ data: Data) -> Bool {
        guard let header = header(data), let length = header.fields["content-length"].flatMap({ Int($0) }) else { return false }
        return data.distance(from: header.bodyStart, to: data.endIndex) >= length
    }

    private static func parse(_ data: Data, what: String) throws -> Response {
        guard let header = header(data), let statusLine = header.lines.first else {
            throw HTTPError(description: "\(what): not an HTTP answer: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        let words = statusLine.split(separator: " ")
        guard words.count >= 2, words[0].hasPrefix("HTTP/1."), let status = Int(words[1]) else {
            throw HTTPError(description: "\(what): bad status line \(statusLine)")
        }
        if header.fields["transfer-encoding"]?.lowercased().contains("chunked") == true {
            throw HTTPError(description: "\(what): a chunked answer, which this client does not read")
        }
        var body = Data(data[header.bodyStart...])
        if let length = header.fields["content-length"].flatMap({ Int($0) }) { body = body.prefix(length) }
        return Response(status: status, body: body, fields: header.fields)
    }
}

struct HTTPError: Error, CustomStringConvertible {
    var description: String
}

