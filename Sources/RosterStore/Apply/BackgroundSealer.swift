import Foundation
import RosterCore

/// Seals the audit entries of a plan's changes on another thread, ahead of the writer that
/// inserts them, and lays out their rows in the backend's format, a block at a time. The
/// chain makes sealing sequential, but it needs nothing from the store beyond the head it
/// starts from, so on a large apply (a million SHA-256 hashes and rows, about a second of
/// one core) it runs beside the writes instead of adding to them.
public final class BackgroundSealer<Rows: AuditRowLayout>: @unchecked Sendable {
    /// The rows of one block of the feed's changes, and the hash of the last.
    public struct Block: Sendable {
        public var rows: Rows
        public var firstSeq: Int64
        public var lastSeq: Int64
        public var lastDigest: [UInt8]
    }

    private let write: AuditWrite
    /// Blocks sealed and not yet taken, at most: bounds the memory when the writer is slower.
    private let ahead = 8
    // Why `@unchecked Sendable` is sound: every stored `var` below is read and written only
    // under `condition`; a block is handed over whole, and a waiting writer's continuation
    // is resumed exactly once (by whoever fills its block, or by `stop`).
    private let condition = NSCondition()
    private var blocks: [Block?] = []
    private var taken = 0
    private var stopped = false
    private var waiting: (index: Int, continuation: CheckedContinuation<Block?, Never>)?

    /// Starts sealing one entry per change of `feed`, in order, continuing `sealer`: block
    /// `i` holds the entries of the feed's block `i`.
    init(_ feed: ChangeFeed, of write: AuditWrite, continuing sealer: AuditSealer) {
        self.write = write
        // The thread keeps `self` alive until it ends.
        Thread { [self] in seal(feed, sealer) }.start()
    }

    /// Block `index` (the entries of the feed's block `index`), once it is sealed; nil once
    /// stopped. Each block is taken once, in order, by one task.
    public func block(_ index: Int) async -> Block? {
        await withCheckedContinuation { continuation in wait(for: index, continuation) }
    }

    /// Block `index` once it is sealed, waiting on this thread (a writer's own thread, never
    /// one of the concurrency pool's); nil once stopped. Each block is taken once, in order.
    public func blockWaiting(_ index: Int) -> Block? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let block = take(index) { return block }
            if stopped { return nil }
            condition.wait()
        }
    }

    /// Resumes `continuation` with block `index` now if it is there (or nil once stopped),
    /// else when the sealing thread makes it.
    private func wait(for index: Int, _ continuation: CheckedContinuation<Block?, Never>) {
        condition.lock()
        if let block = take(index) {
            condition.unlock()
            continuation.resume(returning: block)
        } else if stopped {
            condition.unlock()
            continuation.resume(returning: nil)
        } else {
            waiting = (index, continuation)
            condition.unlock()
        }
    }

    /// Stops sealing early (the write failed, or is done).
    func stop() {
        condition.lock()
        stopped = true
        let waiter = waiting
        waiting = nil
        condition.broadcast()
        condition.unlock()
        waiter?.continuation.resume(returning: nil)
    }

    /// The block at `index` if it is there; under `condition`.
    private func take(_ index: Int) -> Block? {
        guard blocks.count > index, let block = blocks[index] else { return nil }
        blocks[index] = nil
        taken = index + 1
        condition.broadcast()
        return block
    }

    /// Seals the feed's blocks until it ends (or is abandoned, or `stop` is called); then a
    /// writer still waiting gets nil.
    private func seal(_ feed: ChangeFeed, _ sealer: AuditSealer) {
        defer { stop() }
        var sealer = sealer
        var index = 0
        while let changes = feed.block(index) {
            var rows = Rows(capacity: changes.count, write: write)
            let firstSeq = sealer.seq + 1
            for position in changes.indices { sealer.seal(changes[position], into: &rows) }
            let block = Block(rows: rows, firstSeq: firstSeq, lastSeq: sealer.seq, lastDigest: sealer.digest)
            condition.lock()
            while blocks.count - taken >= ahead && !stopped { condition.wait() }
            if stopped {
                condition.unlock()
                return
            }
            blocks.append(block)
            var resume: (CheckedContinuation<Block?, Never>, Block)?
            if let waiter = waiting, let ready = take(waiter.index) {
                waiting = nil
                resume = (waiter.continuation, ready)
            }
            condition.broadcast()
            condition.unlock()
            resume.map { $0.0.resume(returning: $0.1) }
            index += 1
        }
    }
}

extension AuditSealer {
    /// Seals the entry for `change` and adds it to `rows`.
    mutating func seal(_ change: Change, into rows: inout some AuditRowLayout) {
        let fields = change.auditFields
        seal(
            .change(change.action), resourceTeam: change.team, subject: fields.subject, team: change.team,
            before: fields.before, after: fields.after, into: &rows)
    }

    /// Seals an entry and adds it to `rows`.
    mutating func seal(
        _ action: AuditAction, resourceTeam: String, subject: String?, team: String?, before: String?, after: String?,
        into rows: inout some AuditRowLayout
    ) {
        seal(
            action: action.rawValue, resourceType: action.resourceType.rawValue, resourceTeam: resourceTeam,
            subject: subject, team: team, before: before, after: after)
        let seq = seq
        digest.withUnsafeBytes { digest in
            rows.add(
                SealedAuditEntry(
                    seq: seq, action: action, resourceTeam: resourceTeam, subject: subject, team: team, before: before,
                    after: after, digest: digest))
        }
    }
}

extension Change {
    /// What its audit entry records about it, besides what the whole write shares. Its
    /// resource id is `team/subject`, or the team alone when `subject` is nil. A removal or
    /// revocation made because time passed has no value after it: its `after` records why,
    /// `{"reason":"expired"}`, so the log says the access ended rather than was taken away.
    var auditFields: (subject: String?, before: String?, after: String?) {
        let after = after?.jsonText ?? reason.map { "{\"reason\":\(AuditChain.quote($0.rawValue))}" }
        return (AuditAction.change(action).resourceType == .team ? nil : subject, before?.jsonText, after)
    }
}
