import Foundation
import RosterTestSupport
import Testing

// The invitation page driven end to end the way an invitee uses it: `roster serve` on a
// free port of 127.0.0.1, headless Chromium through chromedriver, spoken to with the W3C
// WebDriver protocol over plain HTTP (no browser-automation package). CI installs both
// programs with scripts/install-deps.sh, so a missing one fails the test rather than
// skipping it.

/// Debian's `chromium` and `chromium-driver` packages.
private let chromiumBinary = "/usr/bin/chromium"
private let chromedriverBinary = "/usr/bin/chromedriver"

/// An invitee of the examples' `inference` team ("Inference Platform"), invited as dev.
private let inviteeTeam = "inference"
private let inviteeTeamName = "Inference Platform"
private let invitee = "ivan@example.com"
private let inviteeRole = "dev"

@Suite("The invitation page in a headless browser")
struct InvitationBrowserTests {
    @Test("An invitee opens the link, types their email, joins, and the link stops working")
    func joinFromTheInvitationPage() async throws {
        for program in [chromiumBinary, chromedriverBinary] {
            try #require(
                FileManager.default.isExecutableFile(atPath: program),
                "\(program) is missing: run scripts/install-deps.sh (it installs chromium and chromium-driver)")
        }
        try await withScratchFolder(prefix: "roster-browser") { folder in
            let workspace = try await Workspace.make(folder: folder)
            // ml-research's raised limit needs an operator's approval, or the examples' run is refused.
            try workspace.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120", "--actor", "ops@example.com"])

            let http = HTTPClient()
            let server = try await startServer(workspace, http: http)
            defer { _ = stop(server.process) }
            // The server's first run applies the examples, which creates the invitations.
            let readiness = await eventually { await http.text("\(server.baseURL)/readyz") == "ready\n" }
            try #require(readiness, "/readyz never said ready:\n\(server.process.printedSoFar)")

            let link = try workspace.must([
                "invite", "link", "--team", inviteeTeam, "--email", invitee, "--base-url", server.baseURL,
            ]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            try #require(link.hasPrefix(server.baseURL + "/invite/"), "roster invite link printed \(link)")

            let chromedriver = try await startChromedriver(in: folder, http: http)
            defer { _ = stop(chromedriver.process) }
            try await withBrowser(chromedriver.baseURL, http: http) { browser in
                try await browser.navigate(to: link)
                #expect(try await browser.text(of: browser.element(css: "h1")) == "Join \(inviteeTeamName)")
                let csrf = try await browser.cookie(named: "roster_csrf")
                #expect(csrf?["sameSite"] as? String == "Strict", "the CSRF cookie: \(String(describing: csrf))")
                #expect(csrf?["httpOnly"] as? Bool == true, "the CSRF cookie: \(String(describing: csrf))")
                let email = try await browser.element(css: "#email")
                #expect(try await browser.accessibleName(of: email) == "Your email address, the one this invitation was sent to")
                try await browser.type(invitee, into: email)

                // Pages send `Referrer-Policy: no-referrer`, so the browser posts with
                // `Origin: null`; the server must accept it (the CSRF token still guards the form).
                let invitationPage = try await browser.element(css: "html")
                try await browser.click(try await browser.element(xpath: "//button[normalize-space()='Join team']"))
                // The click starts the form's navigation; wait until it has replaced the page.
                let left = await eventually { await browser.isGone(invitationPage) }
                try #require(left, "the invitation page was still there after Join team")
                let heading = try await browser.text(of: browser.element(css: "h1"))
                let page = try await browser.text(of: browser.element(css: "main")) ?? ""
                try #require(heading == "You joined \(inviteeTeamName)", "the page after Join team:\n\(page)")

                #expect(
                    try workspace.sql(
                        "SELECT role FROM memberships WHERE team = '\(inviteeTeam)' AND email = '\(invitee)'") == inviteeRole)
                #expect(
                    try workspace.sql(
                        "SELECT status FROM invitations WHERE team = '\(inviteeTeam)' AND email = '\(invitee)'") == "accepted")

                // The invitee opens the used link again.
                try await browser.navigate(to: link)
                #expect(try await browser.text(of: browser.element(css: "h1")) == "This invitation link is not valid")
            }

            let ended = stop(server.process)
            #expect(ended.status == 0, "roster serve after SIGTERM: \(ended)")
        }
    }
}

// MARK: Processes

/// chromedriver on a free port, tried again like the server.
private func startChromedriver(in folder: String, http: HTTPClient) async throws -> Listener {
    var attempts: [String] = []
    for _ in 0..<3 {
        let port = try freePort()
        let process = try withSIGTERMUnblocked {
            try BackgroundProcess(
                URL(fileURLWithPath: chromedriverBinary), ["--port=\(port)", "--allowed-ips=127.0.0.1"], in: folder)
        }
        let baseURL = "http://127.0.0.1:\(port)"
        let ready = await eventually(while: process.process.isRunning) {
            let status = try? await http.json("GET", "\(baseURL)/status")
            return (status as? [String: Any])?["ready"] as? Bool == true
        }
        if ready && process.process.isRunning { return Listener(process: process, baseURL: baseURL) }
        attempts.append(stop(process).description)
    }
    throw SetupError(description: "chromedriver did not start:\n\(attempts.joined(separator: "\n"))")
}

// MARK: HTTP and WebDriver

struct WebDriverError: Error, CustomStringConvertible {
    /// WebDriver's error code, such as `no such cookie` or `stale element reference`.
    var code: String
    var description: String
}

/// Runs `body` with a new headless Chromium session, deleted afterwards whatever happens
/// (chromedriver then closes the browser).
private func withBrowser(_ driverURL: String, http: HTTPClient, _ body: (Browser) async throws -> Void) async throws {
    let options: [String: Any] = [
        "binary": chromiumBinary,
        "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--no-proxy-server", "--window-size=1024,768"],
    ]
    let created = try await http.json(
        "POST", "\(driverURL)/session", ["capabilities": ["alwaysMatch": ["goog:chromeOptions": options]]])
    let id = try #require((created as? [String: Any])?["sessionId"] as? String, "no session id: \(created ?? "nil")")
    let browser = Browser(http: http, url: "\(driverURL)/session/\(id)")
    do {
        try await body(browser)
    } catch {
        _ = try? await http.json("DELETE", browser.url)
        throw error
    }
    _ = try await http.json("DELETE", browser.url)
}

/// One WebDriver session: the commands the test needs, named for what a person does.
private struct Browser {
    let http: HTTPClient
    let url: String

    /// W3C WebDriver's key for an element reference in JSON.
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    /// Opens `link` and waits for the page to load.
    func navigate(to link: String) async throws {
        _ = try await http.json("POST", "\(url)/url", ["url": link])
    }

    func element(css selector: String) async throws -> String {
        try await find(["using": "css selector", "value": selector])
    }

    func element(xpath: String) async throws -> String {
        try await find(["using": "xpath", "value": xpath])
    }

    private func find(_ locator: [String: String]) async throws -> String {
        let found = try await http.json("POST", "\(url)/element", locator)
        return try #require(
            (found as? [String: Any])?[Self.elementKey] as? String, "no element reference for \(locator): \(found ?? "nil")")
    }

    /// The element's rendered text.
    func text(of element: String) async throws -> String? {
        try await http.json("GET", "\(url)/element/\(element)/text") as? String
    }

    /// The name assistive technology announces for the element.
    func accessibleName(of element: String) async throws -> String? {
        try await http.json("GET", "\(url)/element/\(element)/computedlabel") as? String
    }

    func type(_ text: String, into element: String) async throws {
        _ = try await http.json("POST", "\(url)/element/\(element)/value", ["text": text])
    }

    /// Clicks the element; a navigation it starts is waited for before the next command.
    func click(_ element: String) async throws {
        _ = try await http.json("POST", "\(url)/element/\(element)/click", [:])
    }

    /// The cookie's fields (`name`, `value`, `httpOnly`, `sameSite`, …), nil when not set.
    func cookie(named name: String) async throws -> [String: Any]? {
        do {
            return try await http.json("GET", "\(url)/cookie/\(name)") as? [String: Any]
        } catch let error as WebDriverError where error.code == "no such cookie" {
            return nil
        }
    }

    /// Whether the element's document has gone, replaced by a navigation.
    func isGone(_ element: String) async -> Bool {
        do {
            _ = try await http.json("GET", "\(url)/element/\(element)/name")
            return false
        } catch let error as WebDriverError {
            return ["stale element reference", "no such element"].contains(error.code)
        } catch {
            return false
        }
    }
}
