import Foundation
import RosterStore

/// One writer at a time across processes: an exclusive `flock` on a file beside the
/// database, which also names its holder so a refused writer can say who holds it.
final class FileLock: @unchecked Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { release() }

    /// Waits up to `timeout` for the lock at `path`; throws `StoreError.locked` naming the
    /// holder when it does not come.
    static func acquire(path: String, timeout: Duration, holder: String) async throws -> FileLock {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(.io, "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = ContinuousClock.now + timeout
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                close(descriptor)
                throw StoreError(.io, "cannot lock \(path): \(String(cString: strerror(errno)))")
            }
            if ContinuousClock.now >= deadline {
                let current = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                close(descriptor)
                throw StoreError(
                    .locked,
                    "another writer holds the store's lock (\(current?.isEmpty == false ? current! : "holder unknown")); "
                        + "waited \(timeout.formatted()), try again later or raise --lock-timeout")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        ftruncate(descriptor, 0)
        let text = holder + "\n"
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return FileLock(descriptor: descriptor)
    }

    /// Runs `body` holding the lock at `path`, for short, bounded work such as migrations;
    /// waits up to `timeout` for it.
    static func whileHolding<T>(path: String, timeout: Duration = .seconds(30), _ body: () throws -> T) throws -> T {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(.io, "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let deadline = ContinuousClock.now + timeout
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw StoreError(.io, "cannot lock \(path): \(String(cString: strerror(errno)))")
            }
            guard ContinuousClock.now < deadline else {
                throw StoreError(.locked, "another writer holds the store's lock while it needs migrating; try again later")
            }
            usleep(20_000)
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    private var released = false

    func release() {
        guard !released else { return }
        released = true
        ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

extension Duration {
    /// "30s", "1.5s", "250ms".
    func formatted() -> String {
        let (seconds, attoseconds) = components
        let milliseconds = attoseconds / 1_000_000_000_000_000
        if seconds == 0 { return "\(milliseconds)ms" }
        return milliseconds == 0 ? "\(seconds)s" : "\(seconds).\(String(format: "%03d", milliseconds))s"
    }
}
