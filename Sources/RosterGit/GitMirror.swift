internal import CGit2
import Foundation
import RosterCore

/// A bare mirror of a remote repository in Roster's cache: cloned on first use, fetched on
/// every later one. Branches and tags land under their own names (not `refs/remotes/…`)
/// and HEAD follows the remote's default branch, so a ref resolves as it would on the
/// remote.
enum GitMirror {
    /// Whether `location` is a URL to fetch rather than a local path.
    static func isURL(_ location: String) -> Bool {
        if location.contains("://") { return true }
        // scp-like `git@host:org/repo.git`
        if let colon = location.firstIndex(of: ":"), let at = location.firstIndex(of: "@"), at < colon,
            !location[..<colon].contains("/")
        {
            return true
        }
        return false
    }

    /// Where `url`'s user information (`user:password@`, or a token given as the user) is:
    /// after the scheme (or at the start of an scp-like address) up to the last `@` before
    /// the query. The last `@`, not the first `/`: a password may hold an unencoded `/`
    /// (`https://alice:Pw/Secret@host/x`), and a URL is never read as having none because
    /// of it.
    private static func userInfoRange(in url: String) -> Range<String.Index>? {
        let start: String.Index
        if let scheme = url.range(of: "://") {
            start = scheme.upperBound
        } else if isURL(url) {
            start = url.startIndex
        } else {
            return nil
        }
        let end = url[start...].firstIndex { $0 == "?" || $0 == "#" } ?? url.endIndex
        guard let at = url[start..<end].lastIndex(of: "@") else { return nil }
        return start..<at
    }

    /// `url` with any user information replaced by `***` (`https://ghp_x@host/o/t.git` →
    /// `https://***@host/o/t.git`): a user part often is the token, so all of it is secret.
    /// This is the only form of a URL that Roster prints, logs or stores.
    static func redacted(_ url: String) -> String {
        guard let range = userInfoRange(in: url) else { return url }
        return url.replacingCharacters(in: range, with: "***")
    }

    /// `url` without its user information, for naming its mirror: the same repository under
    /// a rotated token keeps its mirror, and no part of a credential reaches the folder name.
    static func withoutUserInfo(_ url: String) -> String {
        guard let range = userInfoRange(in: url) else { return url }
        return String(url[..<range.lowerBound]) + String(url[url.index(after: range.upperBound)...])
    }

    /// `message` with `url`'s user information replaced, for libgit2 messages that quote the
    /// URL they were given, whole, in part or percent-decoded.
    static func scrub(_ message: String, url: String) -> String {
        guard let range = userInfoRange(in: url) else { return message }
        let userInfo = String(url[range])
        var message = message.replacingOccurrences(of: url, with: redacted(url))
        var secrets = [userInfo]
        secrets += userInfo.split(separator: ":", maxSplits: 1).map(String.init).filter { $0.count >= 4 }
        secrets += secrets.compactMap { $0.removingPercentEncoding }
        for secret in Set(secrets).sorted(by: { $0.count > $1.count }) where !secret.isEmpty {
            message = message.replacingOccurrences(of: secret, with: "***")
        }
        return message
    }

    /// The default cache folder: `$ROSTER_CACHE_DIR`, else `$XDG_CACHE_HOME/roster`, else
    /// `~/.cache/roster`.
    static func defaultCacheDirectory() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let dir = environment["ROSTER_CACHE_DIR"], !dir.isEmpty { return dir }
        if let dir = environment["XDG_CACHE_HOME"], !dir.isEmpty { return dir + "/roster" }
        return FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/roster"
    }

    /// Fetches `url` into its mirror under `cacheDirectory` and opens the mirror.
    /// With `fetch` false, an existing mirror is opened as it is (to read an older commit).
    static func update(url: String, cacheDirectory: String, fetch shouldFetch: Bool = true) throws -> GitRepository {
        let shown = redacted(url)
        let folder = cacheDirectory + "/repos/" + cacheName(for: url)
        do {
            try FileManager.default.createDirectory(atPath: cacheDirectory + "/repos", withIntermediateDirectories: true)
        } catch {
            throw SourceError("cannot create the cache folder \(cacheDirectory): \(error.localizedDescription)")
        }
        let isNew = !FileManager.default.fileExists(atPath: folder + "/HEAD")
        let repository = isNew ? try GitRepository.initBare(path: folder) : try GitRepository.open(path: folder)
        if !isNew && !shouldFetch { return repository }
        do {
            try fetch(url, shown: shown, into: repository, folder: folder)
        } catch {
            // A first fetch that failed leaves no empty mirror behind.
            if isNew { try? FileManager.default.removeItem(atPath: folder) }
            if let error = error as? SourceError { throw SourceError(scrub(error.message, url: url)) }
            throw error
        }
        return repository
    }

    private static func fetch(_ url: String, shown: String, into repository: GitRepository, folder: String) throws {

        var remote: OpaquePointer?
        try Git.check(git_remote_create_anonymous(&remote, repository.handle, url), "cannot use \(shown) as a remote")
        defer { git_remote_free(remote) }

        var attempts = 0
        try withUnsafeMutablePointer(to: &attempts) { attemptsPointer in
            var callbacks = git_remote_callbacks()
            git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
            callbacks.credentials = credentials
            callbacks.payload = UnsafeMutableRawPointer(attemptsPointer)

            guard git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nil, nil) == 0 else {
                throw SourceError("cannot reach \(shown) (tried to connect and list its refs): \(Git.lastError())")
            }
            var head = git_buf()
            var defaultBranch: String?
            if git_remote_default_branch(&head, remote) == 0, let pointer = head.ptr {
                defaultBranch = String(cString: pointer)
            }
            git_buf_dispose(&head)

            var options = git_fetch_options()
            git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
            options.callbacks = callbacks
            options.prune = GIT_FETCH_PRUNE
            options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
            options.update_fetchhead = 0
            let refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
            var cStrings = refspecs.map { strdup($0) }
            defer { cStrings.forEach { free($0) } }
            let code = cStrings.withUnsafeMutableBufferPointer { buffer in
                var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
                return git_remote_fetch(remote, &array, &options, "roster: fetch")
            }
            guard code == 0 else {
                throw SourceError("cannot fetch \(shown) into \(folder): \(Git.lastError())")
            }
            if let defaultBranch {
                try Git.check(
                    git_repository_set_head(repository.handle, defaultBranch),
                    "cannot point the mirror's HEAD at \(defaultBranch)")
            }
        }
    }

    /// A readable, collision-free folder name for a URL (no credentials in it).
    static func cacheName(for url: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: stable across runs, unlike Hasher
        for byte in withoutUserInfo(url).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let tail = withoutUserInfo(url).split(separator: "/").last.map(String.init) ?? "repo"
        let safe = String(tail.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "-" }.prefix(40))
        let hex = String(hash, radix: 16)
        return safe + "-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Credentials for fetching: the SSH agent for ssh URLs; for https, `ROSTER_GIT_TOKEN`
/// (with `ROSTER_GIT_USERNAME`, default `x-access-token`). Gives up after three tries so a
/// wrong secret fails instead of looping.
private let credentials: git_credential_acquire_cb = { out, _, usernameFromURL, allowed, payload in
    let attempts = payload!.assumingMemoryBound(to: Int.self)
    attempts.pointee += 1
    guard attempts.pointee <= 3 else { return GIT_EAUTH.rawValue }
    if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
        if let usernameFromURL { return git_credential_ssh_key_from_agent(out, usernameFromURL) }
        return git_credential_ssh_key_from_agent(out, "git")
    }
    if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let token = getenv("ROSTER_GIT_TOKEN") {
        if let user = getenv("ROSTER_GIT_USERNAME") { return git_credential_userpass_plaintext_new(out, user, token) }
        return git_credential_userpass_plaintext_new(out, "x-access-token", token)
    }
    return GIT_PASSTHROUGH.rawValue
}
