import Synchronization

/// Wakes the daemon's loop early: a reload request or shutdown rings it while the loop sleeps until its
/// next deadline. A ring while nobody waits is kept for the next wait.
final class Doorbell: Sendable {
    private struct Waiting {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let waiting = Mutex(Waiting())

    func ring() {
        let waiter = waiting.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after `duration`, on a ring, or when the task is cancelled, whichever comes first.
    func wait(for duration: Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await sleep(duration) }
            group.addTask { await self.waitForRing() }
            await group.next()
            group.cancelAll()
            // The other child may be waiting on the bell; release it.
            self.release()
        }
    }

    private func waitForRing() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = waiting.withLock { state -> Bool in
                    if state.rung || Task.isCancelled {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.release()
        }
    }

    /// Resumes a waiter without leaving a ring behind.
    private func release() {
        let waiter = waiting.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
