public import Foundation
public import RosterCore

/// A plan's changes, taken in blocks and in order by the apply's writer and its audit
/// sealer: all at once for a plan made beforehand, or as the plan is still being made
/// (`Reconciler.applyStreamed`: a first apply that writes while the manifests are decoded).
/// A block is published whole and never changes; the producer may abandon the feed, and
/// every taker then gets nil.
public final class ChangeFeed: @unchecked Sendable {
    // Why `@unchecked Sendable` is sound: every stored `var` below is read and written only
    // under `condition`; a block handed out is a copy (or a slice of an array nobody
    // changes); the async taker's continuation is resumed exactly once (by the append, end
    // or abandonment that satisfies it).
    public let blockSize: Int
    private let condition = NSCondition()
    /// Every change so far, in order: the plan's array itself once the feed ends. A taker
    /// gets a copy of its block, so appending never copies the whole.
    private var changes: [Change] = []
    /// Changes in published blocks (every change once the feed ends).
    private var published = 0
    private var ended = false
    private var abandoned = false
    private var expireAfter: TimeInterval?
    private var waiting: (index: Int, continuation: CheckedContinuation<ArraySlice<Change>?, Never>)?

    /// An open feed, for a producer to fill.
    public init(blockSize: Int) {
        precondition(blockSize > 0)
        self.blockSize = blockSize
    }

    /// A feed of every change of a finished plan.
    public init(_ changes: [Change], invitationExpireAfter: TimeInterval?, blockSize: Int) {
        precondition(blockSize > 0)
        self.blockSize = blockSize
        self.changes = changes
        expireAfter = invitationExpireAfter
        published = changes.count
        ended = true
    }

    /// How long the plan's invitation links work (`Plan.invitationExpireAfter`): set by the
    /// producer before its first change, read by the writer once it has the first block.
    public var invitationExpireAfter: TimeInterval? {
        get { locked { expireAfter } }
        set { locked { expireAfter = newValue } }
    }

    /// Makes room for `count` changes in all, when there is less: a producer's estimate, so
    /// a million changes are not moved into ever larger arrays (room never written is
    /// never touched).
    public func reserve(_ count: Int) {
        locked { if changes.capacity < count { changes.reserveCapacity(count) } }
    }

    /// Appends changes in plan order; one producer at a time.
    public func append(contentsOf newChanges: some Collection<Change>) {
        condition.lock()
        guard !abandoned else { return condition.unlock() }
        changes += newChanges
        let full = changes.count - changes.count % blockSize
        let publishing = full > published
        if publishing { published = full }
        let resume = publishing ? takeWaiter() : nil
        if publishing { condition.broadcast() }
        condition.unlock()
        resume?()
    }

    /// Every change is in: the last, shorter block is published.
    public func finish() {
        condition.lock()
        published = changes.count
        ended = true
        let resume = takeWaiter()
        condition.broadcast()
        condition.unlock()
        resume?()
    }

    /// The plan will not be what was fed (or cannot be made): the takers stop, and whoever
    /// writes rolls back.
    public func abandon() {
        condition.lock()
        abandoned = true
        ended = true
        changes = []
        published = 0
        let resume = takeWaiter()
        condition.broadcast()
        condition.unlock()
        resume?()
    }

    public var isAbandoned: Bool { locked { abandoned } }

    /// How many changes were appended.
    public var changeCount: Int { locked { changes.count } }

    /// Every change fed, in order, taken out of the feed: once it has ended and both takers
    /// are done.
    public func takeAll() -> [Change] {
        locked {
            precondition(ended, "a change feed is taken whole once it ends")
            defer { changes = [] }
            return changes
        }
    }

    /// Block `index`, waiting on this thread until it is published; nil after the last block
    /// and once abandoned. For the sealing thread, and a writer's own thread (never one of
    /// the concurrency pool's, which the producer may need).
    public func block(_ index: Int) -> ArraySlice<Change>? {
        condition.lock()
        defer { condition.unlock() }
        while !ended && published <= index * blockSize { condition.wait() }
        return block(at: index)
    }

    /// Block `index` once it is published; nil after the last block and once abandoned. For
    /// one task at a time (the writer).
    public func block(_ index: Int) async -> ArraySlice<Change>? {
        await withCheckedContinuation { continuation in
            condition.lock()
            if ended || published > index * blockSize {
                let block = block(at: index)
                condition.unlock()
                continuation.resume(returning: block)
            } else {
                precondition(waiting == nil, "a change feed has one asynchronous taker")
                waiting = (index, continuation)
                condition.unlock()
            }
        }
    }

    /// Published block `index` (nil past the end or once abandoned): a slice of the plan's
    /// array when it is finished, else a copy, so the producer's appends stay in place.
    /// Under `condition`.
    private func block(at index: Int) -> ArraySlice<Change>? {
        let start = index * blockSize
        guard !abandoned, start < published else { return nil }
        let block = changes[start..<min(start + blockSize, published)]
        return ended ? block : ArraySlice(Array(block))
    }

    /// The waiting taker's resumption, if what it waits for is there now; under `condition`.
    private func takeWaiter() -> (() -> Void)? {
        guard let waiter = waiting, ended || published > waiter.index * blockSize else { return nil }
        waiting = nil
        let block = block(at: waiter.index)
        return { waiter.continuation.resume(returning: block) }
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }
}
