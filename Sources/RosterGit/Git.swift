internal import CGit2
internal import CGit2Shims
import Foundation
import RosterCore

/// Process-wide libgit2 set-up.
public enum Git {
    private static let initialized: Void = {
        _ = git_libgit2_init()
        // libgit2 re-hashes every object it reads by default (collision-detecting SHA-1,
        // a sixth of the time of reading a large organisation). git itself does not: objects
        // are verified when they arrive (fetch indexes and checks every pack), so Roster
        // reads them as git does.
        _ = roster_git_set_strict_hash_verification(0)
    }()

    /// Initialises libgit2 once; every entry point of this module calls it.
    static func start() { Git.initialized }

    /// Starts `start()` on another thread, for a command that will read a repository after
    /// it has opened its store: Debian's libgit2 loads the system's CA bundle in its
    /// set-up (mbedTLS, whatever is asked of it; a tenth of a plan with nothing to do), which
    /// then overlaps with opening the store. The first call into this module waits for it.
    public static func startInBackground() {
        Thread { Git.start() }.start()
    }

    /// Turns libgit2's repository owner check on or off for this process.
    ///
    /// Off by default in Roster: it only ever reads the object database (no checkout, no
    /// hooks, no filters, nothing a repository's config can make it run), which is what the
    /// check protects, and with it on a repository owned by another user (a CI container, a
    /// service account reading a shared checkout) fails with a misleading error.
    public static func setOwnerValidation(_ enabled: Bool) {
        start()
        _ = roster_git_set_owner_validation(enabled ? 1 : 0)
    }

    /// libgit2's last error message, or `fallback`.
    static func lastError(_ fallback: String = "unknown git error") -> String {
        guard let error = git_error_last(), let message = error.pointee.message else { return fallback }
        return String(cString: message)
    }

    /// Throws a `SourceError` built from `describe` and libgit2's message when `code` < 0.
    static func check(_ code: Int32, _ describe: @autoclosure () -> String) throws {
        if code < 0 { throw SourceError("\(describe()): \(lastError())") }
    }

    /// The hex form of an object id.
    static func hex(_ oid: git_oid) -> String {
        var oid = oid
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        git_oid_tostr(&buffer, buffer.count, &oid)
        return String(decoding: buffer.prefix(Int(GIT_OID_HEXSZ)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
