import Foundation
import RosterCore

/// Seals the audit entries of a plan's changes on another thread, ahead of the writer that
/// inserts them, and lays out their rows (`AuditWriter.addRow`) in blocks of a statement's
/// worth. The chain makes sealing sequential, but it needs nothing from the store beyond
/// the head it starts from, so on a large apply (a million SHA-256 hashes and rows, about a
/// second of one core) it runs beside the inserts instead of adding to them.
final class BackgroundSealer: @unchecked Sendable {
    /// A statement's worth of rows (fewer in the last block), and the hash of the last.
    struct Block: Sendable {
        var rows: BulkInsert.Rows
        var lastDigest: [UInt8] = []
    }

    /// Rows per block.
    let rowsPerBlock: Int
    /// Blocks sealed and not yet taken, at most: bounds the memory when the writer is slower.
    private let ahead = 256
    // Why `@unchecked Sendable` is sound: every stored `var` below is read and written only
    // under `condition`; a block is handed over whole.
    private let condition = NSCondition()
    private var blocks: [Block?] = []
    private var taken = 0
    private var stopped = false

    /// Starts sealing one entry per change of `changes`, in order, continuing `sealer`.
    init(_ changes: [Change], continuing sealer: AuditSealer, rowsPerBlock: Int, columnsPerRow: Int) {
        self.rowsPerBlock = rowsPerBlock
        blocks.reserveCapacity(changes.count / rowsPerBlock + 1)
        // The thread keeps `self` alive until it ends.
        Thread { [self] in seal(changes, sealer, columnsPerRow) }.start()
    }

    /// Block `index` (rows `index * rowsPerBlock` onwards), once it is sealed. Each block is
    /// taken once, in order.
    func block(_ index: Int) -> Block {
        condition.lock()
        defer { condition.unlock() }
        while blocks.count <= index { condition.wait() }
        let block = blocks[index]!
        blocks[index] = nil
        taken = index + 1
        condition.broadcast()
        return block
    }

    /// Stops sealing early (the write failed, or is done).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func seal(_ changes: [Change], _ sealer: AuditSealer, _ columnsPerRow: Int) {
        var sealer = sealer
        var block = Block(rows: BulkInsert.Rows(rows: rowsPerBlock, columns: columnsPerRow))
        for (index, change) in changes.enumerated() {
            let entry = change.auditFields
            sealer.seal(
                action: entry.action, resourceType: entry.resourceType, resourceTeam: change.team, subject: entry.subject,
                team: change.team, before: entry.before, after: entry.after)
            sealer.digest.withUnsafeBytes { digest in
                AuditWriter.addRow(
                    to: &block.rows, seq: sealer.seq, action: entry.action, resourceType: entry.resourceType,
                    resourceTeam: change.team, subject: entry.subject, team: change.team, before: entry.before,
                    after: entry.after, digest: digest)
            }
            guard (index + 1) % rowsPerBlock == 0 || index == changes.count - 1 else { continue }
            block.lastDigest = sealer.digest
            condition.lock()
            while blocks.count - taken >= ahead && !stopped { condition.wait() }
            blocks.append(block)
            let stop = stopped
            condition.broadcast()
            condition.unlock()
            if stop { return }
            block = Block(rows: BulkInsert.Rows(rows: rowsPerBlock, columns: columnsPerRow))
        }
    }
}
