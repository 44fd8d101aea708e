import Foundation
import RosterCore

/// Seals the audit entries of a plan's changes on another thread, ahead of the writer that
/// inserts them. The chain makes sealing sequential, but it needs nothing from the store
/// beyond the head it starts from, so on a large apply (a million SHA-256 hashes, most of a
/// second of one core) it runs beside the inserts instead of adding to them.
final class BackgroundSealer: @unchecked Sendable {
    // Why `@unchecked Sendable` is sound: the sealing thread writes digest i and only then
    // publishes `sealed > i` under `condition`; the reader reads digest i only after it saw
    // `sealed > i` under `condition`. `available` is touched by the reader alone.
    private let digests: UnsafeMutableRawBufferPointer
    private let condition = NSCondition()
    private var sealed = 0
    private var stopped = false
    private var available = 0

    /// Starts sealing one entry per change of `changes`, in order, continuing `sealer`.
    init(_ changes: [Change], continuing sealer: AuditSealer) {
        digests = .allocate(byteCount: 32 * max(changes.count, 1), alignment: 16)
        // The thread keeps `self` alive until it ends, so the digests outlive it.
        Thread { [self] in seal(changes, sealer) }.start()
    }

    deinit { digests.deallocate() }

    /// The hash of entry `index` (0 for the first change), once it is sealed.
    func digest(_ index: Int) -> UnsafeRawBufferPointer {
        if index >= available {
            condition.lock()
            while sealed <= index { condition.wait() }
            available = sealed
            condition.unlock()
        }
        return UnsafeRawBufferPointer(rebasing: digests[32 * index..<32 * index + 32])
    }

    /// Stops sealing early (the write failed, or is done).
    func stop() {
        condition.lock()
        stopped = true
        condition.unlock()
    }

    private func seal(_ changes: [Change], _ sealer: AuditSealer) {
        var sealer = sealer
        var start = 0
        while start < changes.count {
            // Published in chunks, so the lock is taken once per chunk, not per entry.
            let end = min(start + 512, changes.count)
            for index in start..<end {
                let entry = changes[index].auditFields
                sealer.seal(
                    action: entry.action, resourceType: entry.resourceType, resourceTeam: changes[index].team,
                    subject: entry.subject, team: changes[index].team, before: entry.before, after: entry.after)
                sealer.digest.withUnsafeBytes { digest in
                    UnsafeMutableRawBufferPointer(rebasing: digests[32 * index..<32 * index + 32]).copyMemory(from: digest)
                }
            }
            condition.lock()
            sealed = end
            let stop = stopped
            condition.broadcast()
            condition.unlock()
            if stop { return }
            start = end
        }
    }
}
