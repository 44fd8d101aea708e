import Foundation
import RosterTestSupport
import Testing

// The console driven end to end the way a team admin and an invitee use it: `roster serve`
// on a free port of 127.0.0.1, headless Chromium through chromedriver, spoken to with the
// W3C WebDriver protocol over plain HTTP (no browser-automation package). Every page it
// visits is photographed 390 and 1280 px wide (into ROSTER_SCREENSHOTS when set) and checked
// with axe-core, whose serious and critical findings fail the test. CI installs chromium,
// chromedriver and axe-core (carried by the `axe-playwright-python` package) with scripts/install-deps.sh,
// so a missing one fails the test rather than skipping it.

/// Debian's `chromium` and `chromium-driver` packages.
private let chromiumBinary = "/usr/bin/chromium"
private let chromedriverBinary = "/usr/bin/chromedriver"

/// An invitee of the examples' `inference` team ("Inference Platform"), invited as dev, and
/// the team's owner (an admin from its first run), who signs in and copies the invitee's link.
private let inviteeTeam = "inference"
private let inviteeTeamName = "Inference Platform"
private let invitee = "ivan@example.com"
private let inviteeRole = "dev"
private let teamAdmin = "grace@example.com"

/// The widths every page is photographed and checked at: a phone's and a desktop's.
private let widths = [(name: "phone", width: 390, height: 844), (name: "desktop", width: 1280, height: 800)]

@Suite("The console in a headless browser")
struct InvitationBrowserTests {
    @Test("A team admin signs in, copies a link from the team page, the invitee joins through it, and the run page reads")
    func joinThroughTheConsole() async throws {
        for program in [chromiumBinary, chromedriverBinary] {
            try #require(
                FileManager.default.isExecutableFile(atPath: program),
                "\(program) is missing: run scripts/install-deps.sh (it installs chromium and chromium-driver)")
        }
        let axe = try axeSource()
        try await withScratchFolder(prefix: "roster-browser") { folder in
            // Screenshots go to ROSTER_SCREENSHOTS when set (kept), else into the scratch folder.
            let shots = ProcessInfo.processInfo.environment["ROSTER_SCREENSHOTS"].flatMap { $0.isEmpty ? nil : $0 } ?? folder + "/screenshots"
            try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)

            let workspace = try await Workspace.make(folder: folder)
            // ml-research's raised limit needs an operator's approval, or the examples' run is refused.
            try workspace.must(["team", "ceiling", "--team", "ml-research", "--per-hour", "120", "--actor", "ops@example.com"])

            let http = HTTPClient()
            let server = try await startServer(workspace, http: http)
            defer { _ = stop(server.process) }
            // The server's first run applies the examples, which creates the invitations.
            let readiness = await eventually { await http.text("\(server.baseURL)/readyz") == "ready\n" }
            try #require(readiness, "/readyz never said ready:\n\(server.process.printedSoFar)")
            let key = try #require(
                try workspace.must(["apikey", "create", "--email", teamAdmin]).stdout.split(separator: "\n").last.map(String.init))

            let chromedriver = try await startChromedriver(in: folder, http: http)
            defer { _ = stop(chromedriver.process) }
            try await withBrowser(chromedriver.baseURL, http: http) { browser in
                var visited = 0
                /// Photographs the page at each width and fails on axe's serious and critical findings.
                func check(_ name: String) async throws {
                    visited += 1
                    for size in widths {
                        try await browser.emulate(width: size.width, height: size.height, mobile: size.width < 600)
                        let png = try await browser.screenshot()
                        let number = visited < 10 ? "0\(visited)" : "\(visited)"
                        try png.write(to: URL(fileURLWithPath: "\(shots)/\(number)-\(name)-\(size.name).png"))
                        let violations = try await browser.accessibilityViolations(axe: axe)
                        #expect(violations.isEmpty, "axe on the \(name) page at \(size.width) px:\n\(violations.joined(separator: "\n"))")
                    }
                    // The stylesheet's dark colours are checked too, at the desktop width.
                    try await browser.prefersDark(true)
                    let number = visited < 10 ? "0\(visited)" : "\(visited)"
                    try await browser.screenshot().write(to: URL(fileURLWithPath: "\(shots)/\(number)-\(name)-desktop-dark.png"))
                    let dark = try await browser.accessibilityViolations(axe: axe)
                    #expect(dark.isEmpty, "axe on the \(name) page in dark mode:\n\(dark.joined(separator: "\n"))")
                    try await browser.prefersDark(false)
                }

                // The team page asks for sign-in first and comes back after it.
                try await browser.navigate(to: "\(server.baseURL)/teams/\(inviteeTeam)")
                #expect(try await browser.text(of: browser.element(css: "h1")) == "Sign in")
                try await check("signin")
                try await browser.type(key, into: browser.element(css: "#key"))
                try await browser.submit(browser.element(xpath: "//main//button[normalize-space()='Sign in']"))
                try #require(try await browser.currentURL() == "\(server.baseURL)/teams/\(inviteeTeam)")
                #expect(try await browser.text(of: browser.element(css: "h1"))?.hasPrefix(inviteeTeamName) == true)
                try await check("team")

                // The invitee's row: a read-only link field and the copy button copy.js shows.
                let row = "//tr[td[normalize-space()='\(invitee)']]"
                let field = try await browser.element(xpath: row + "//input[contains(@class,'link-field')]")
                let link = try #require(try await browser.property("value", of: field) as? String)
                try #require(link.hasPrefix(server.baseURL + "/invite/"), "the link field holds \(link)")
                let copy = try await browser.element(xpath: row + "//button[contains(@class,'copy')]")
                #expect(try await browser.isDisplayed(copy), "copy.js did not show the copy button")
                try await browser.grant("clipboard-read")
                try await browser.grant("clipboard-write")
                try await browser.click(copy)
                let copied = await eventually(upTo: .seconds(5)) { (try? await browser.text(of: copy)) == "Copied" }
                #expect(copied, "the copy button never said Copied")
                #expect(try await browser.clipboard() == link)

                // The invitee opens the copied link: a wrong address first, kept in the field.
                try await browser.navigate(to: try await browser.clipboard() ?? link)
                #expect(try await browser.text(of: browser.element(css: "h1")) == "Join \(inviteeTeamName)")
                try await check("invite")
                let csrf = try await browser.cookie(named: "roster_csrf")
                #expect(csrf?["sameSite"] as? String == "Strict", "the CSRF cookie: \(String(describing: csrf))")
                #expect(csrf?["httpOnly"] as? Bool == true, "the CSRF cookie: \(String(describing: csrf))")
                let email = try await browser.element(css: "#email")
                #expect(try await browser.accessibleName(of: email) == "Your email address, the one this invitation was sent to")
                try await browser.type("ivan@example.org", into: email)
                // Pages send `Referrer-Policy: no-referrer`, so the browser posts with
                // `Origin: null`; the server must accept it (the CSRF token still guards the form).
                try await browser.submit(browser.element(xpath: "//button[normalize-space()='Join team']"))
                #expect(try await browser.text(of: browser.element(css: "p.error")) == "This invitation is not for that email address. Use the address the invitation was sent to.")
                let retyped = try await browser.element(css: "#email")
                #expect(try await browser.property("value", of: retyped) as? String == "ivan@example.org")
                try await check("invite-wrong-email")
                try await browser.clear(retyped)
                try await browser.type(invitee, into: retyped)
                try await browser.submit(browser.element(xpath: "//button[normalize-space()='Join team']"))

                // Joined: the page after the redirect, which a reload shows again without posting.
                #expect(try await browser.currentURL() == link + "/joined")
                let heading = try await browser.text(of: browser.element(css: "h1"))
                let page = try await browser.text(of: browser.element(css: "main")) ?? ""
                try #require(heading == "You joined \(inviteeTeamName)", "the page after Join team:\n\(page)")
                #expect(page.contains("As \(inviteeRole) you can now"))
                #expect(try await browser.property("pathname", of: browser.element(css: "main a[href^='/teams/']")) as? String == "/teams/\(inviteeTeam)")
                try await check("joined")
                try await browser.refresh()
                #expect(try await browser.text(of: browser.element(css: "h1")) == "You joined \(inviteeTeamName)")
                #expect(
                    try workspace.sql(
                        "SELECT role FROM memberships WHERE team = '\(inviteeTeam)' AND email = '\(invitee)'") == inviteeRole)
                #expect(
                    try workspace.sql(
                        "SELECT status FROM invitations WHERE team = '\(inviteeTeam)' AND email = '\(invitee)'") == "accepted")

                // The used link again.
                try await browser.navigate(to: link)
                #expect(try await browser.text(of: browser.element(css: "h1")) == "This invitation link is not valid")
                try await check("invalid")

                // The status page links the runs; the newest one's page reads.
                try await browser.navigate(to: server.baseURL + "/")
                #expect(try await browser.text(of: browser.element(css: "h1")) == "Status")
                try await check("status")
                try await browser.click(browser.element(css: "td[data-label='Run'] a"))
                #expect(try await browser.currentURL().contains("/runs/"))
                #expect(try await browser.text(of: browser.element(css: "h1"))?.hasPrefix("Run ") == true)
                #expect(try await browser.text(of: browser.element(css: "#changes")) == "Changes applied")
                try await check("run")
            }

            let ended = stop(server.process)
            #expect(ended.status == 0, "roster serve after SIGTERM: \(ended)")
        }
    }
}

/// axe-core's script, from the `axe-playwright-python` package scripts/install-deps.sh
/// installs with pip (or the file ROSTER_AXE_JS names). Found without importing the package,
/// whose Python dependencies are not installed.
private func axeSource() throws -> String {
    if let path = ProcessInfo.processInfo.environment["ROSTER_AXE_JS"], !path.isEmpty {
        return try String(contentsOfFile: path, encoding: .utf8)
    }
    let found = try runProcess(
        URL(fileURLWithPath: "/usr/bin/env"),
        [
            "python3", "-c",
            "import importlib.util, os; spec = importlib.util.find_spec('axe_playwright_python'); "
                + "print(os.path.join(spec.submodule_search_locations[0], 'axe.min.js') if spec else '')",
        ])
    let path = found.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    try #require(
        found.status == 0 && FileManager.default.fileExists(atPath: path),
        "axe.min.js was not found: run scripts/install-deps.sh (it pip-installs axe-playwright-python)\n\(found)")
    return try String(contentsOfFile: path, encoding: .utf8)
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
        "args": [
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--no-proxy-server", "--window-size=1280,800",
            "--hide-scrollbars",
        ],
    ]
    let created = try await http.json(
        "POST", "\(driverURL)/session", ["capabilities": ["alwaysMatch": ["goog:chromeOptions": options]]])
    let id = try #require((created as? [String: Any])?["sessionId"] as? String, "no session id: \(created ?? "nil")")
    let browser = Browser(http: http, url: "\(driverURL)/session/\(id)")
    // axe takes a moment on a long page; the default script timeout is 30 s.
    _ = try await http.json("POST", "\(browser.url)/timeouts", ["script": 60_000])
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

    /// Submits the form the element (a submit button) belongs to by clicking it, and waits
    /// until the next page has replaced this one.
    func submit(_ button: String) async throws {
        let page = try await element(css: "html")
        try await click(button)
        let left = await eventually { await isGone(page) }
        try #require(left, "the page was still there after the click")
    }

    func clear(_ element: String) async throws {
        _ = try await http.json("POST", "\(url)/element/\(element)/clear", [:])
    }

    func refresh() async throws {
        _ = try await http.json("POST", "\(url)/refresh", [:])
    }

    func currentURL() async throws -> String {
        try #require(try await http.json("GET", "\(url)/url") as? String)
    }

    /// A DOM property of the element, such as an input's `value`.
    func property(_ name: String, of element: String) async throws -> Any? {
        try await http.json("GET", "\(url)/element/\(element)/property/\(name)")
    }

    func isDisplayed(_ element: String) async throws -> Bool {
        try await http.json("GET", "\(url)/element/\(element)/displayed") as? Bool == true
    }

    /// Grants the page a permission (WebDriver's Permissions extension), such as `clipboard-read`.
    func grant(_ permission: String) async throws {
        _ = try await http.json("POST", "\(url)/permissions", ["descriptor": ["name": permission], "state": "granted"])
    }

    /// The text on the clipboard, read by the page; nil when the browser refuses.
    func clipboard() async throws -> String? {
        try await http.json(
            "POST", "\(url)/execute/async",
            [
                "script": "var done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, function () { done(null); });",
                "args": [],
            ]) as? String
    }

    /// Lays the page out as a screen `width` CSS pixels wide (a phone's when `mobile`), through
    /// Chrome's DevTools command, since a window cannot be made narrower than the browser's minimum.
    func emulate(width: Int, height: Int, mobile: Bool) async throws {
        _ = try await http.json(
            "POST", "\(url)/goog/cdp/execute",
            [
                "cmd": "Emulation.setDeviceMetricsOverride",
                "params": ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile],
            ])
    }

    /// Whether the page sees `prefers-color-scheme: dark`.
    func prefersDark(_ dark: Bool) async throws {
        _ = try await http.json(
            "POST", "\(url)/goog/cdp/execute",
            [
                "cmd": "Emulation.setEmulatedMedia",
                "params": ["features": [["name": "prefers-color-scheme", "value": dark ? "dark" : "light"]]],
            ])
    }

    /// The viewport as PNG.
    func screenshot() async throws -> Data {
        let encoded = try #require(try await http.json("GET", "\(url)/screenshot") as? String)
        return try #require(Data(base64Encoded: encoded), "the screenshot is not base64")
    }

    /// axe-core's serious and critical findings on the page, one line per rule with its nodes.
    /// The script is injected by WebDriver, which runs outside the page's CSP.
    func accessibilityViolations(axe: String) async throws -> [String] {
        let script = axe + """

            ;var done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ["violations"] }).then(function (results) {
              done(results.violations.filter(function (v) { return v.impact === "serious" || v.impact === "critical"; })
                .map(function (v) {
                  return v.impact + " " + v.id + ": " + v.help + "\\n" + v.nodes.map(function (n) {
                    return "  " + n.target.join(" ") + " | " + (n.failureSummary || "").split("\\n").join(" ");
                  }).join("\\n");
                }));
            }, function (error) { done(["axe failed: " + error]); });
            """
        let found = try await http.json("POST", "\(url)/execute/async", ["script": script, "args": []])
        return try #require(found as? [String], "axe answered \(String(describing: found))")
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
