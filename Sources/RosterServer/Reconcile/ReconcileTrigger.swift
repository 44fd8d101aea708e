/// Wakes the reconcile loop early (a webhook, a new lease). Triggers that arrive while the
/// loop is busy coalesce into one pending wake-up, so a burst of pushes makes one
/// follow-up run, not one run each.
public actor ReconcileTrigger {
    private var pending: String?
    private var waiter: (id: Int, continuation: CheckedContinuation<String?, Never>)?
    private var nextID = 0
    private var isClosed = false

    public init() {}

    /// Asks for a run as soon as possible; `reason` is what the run is recorded as.
    public func fire(_ reason: String) {
        guard !isClosed else { return }
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: reason)
        } else if pending == nil {
            pending = reason
        }
    }

    /// Stops all waiting for good (shutdown): `wait` returns nil at once from now on.
    public func close() {
        isClosed = true
        pending = nil
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: nil)
        }
    }

    public var closed: Bool { isClosed }

    /// Waits until fired or until `timeout` passes; returns the reason, or nil on timeout,
    /// cancellation or close. One waiter at a time (the reconcile loop).
    public func wait(timeout: Duration) async -> String? {
        if let pending {
            self.pending = nil
            return pending
        }
        if isClosed || Task.isCancelled { return nil }
        nextID += 1
        let id = nextID
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expire(id)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiter = (id, continuation)
            }
        } onCancel: {
            Task { await self.expire(id) }
        }
    }

    private func expire(_ id: Int) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume(returning: nil)
    }
}
