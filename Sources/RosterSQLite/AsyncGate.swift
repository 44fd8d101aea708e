import Synchronization

/// An async lock: tasks take turns, first come first served, suspended (not blocking a
/// thread) while they wait. Written here because neither the standard library nor the
/// packages Roster uses offer one (`Mutex` blocks its thread and cannot be held across an
/// `await`).
final class AsyncGate: Sendable {
    private struct State {
        var busy = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Runs `body` when no other turn is running.
    func withTurn<T>(_ body: () async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let enterNow = state.withLock { state in
                if state.busy {
                    state.waiting.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if enterNow { continuation.resume() }
        }
    }

    private func leave() {
        let next = state.withLock { state in
            if state.waiting.isEmpty {
                state.busy = false
                return nil as CheckedContinuation<Void, Never>?
            }
            return state.waiting.removeFirst()
        }
        // The turn passes straight to the next waiter (`busy` stays true).
        next?.resume()
    }
}
