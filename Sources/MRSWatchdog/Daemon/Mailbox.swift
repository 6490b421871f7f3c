import Synchronization

/// The daemon loop's inbox: messages posted from other tasks (a poll finished, a config was reloaded, stop)
/// wait in order until the loop takes them; the loop waits for the next one or until a time, whichever is
/// first.
final class Mailbox<Message: Sendable>: Sendable {
    private struct Box {
        var queue: [Message] = []
        var waiter: CheckedContinuation<Message?, Never>?
    }

    private let box = Mutex(Box())

    func post(_ message: Message) {
        let waiter = box.withLock { box -> CheckedContinuation<Message?, Never>? in
            guard let waiter = box.waiter else {
                box.queue.append(message)
                return nil
            }
            box.waiter = nil
            return waiter
        }
        waiter?.resume(returning: message)
    }

    /// The next message, or nil once `timeout` has passed (or the task is cancelled) without one.
    func next(within timeout: Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) async -> Message? {
        if let queued = box.withLock({ $0.queue.isEmpty ? nil : $0.queue.removeFirst() }) { return queued }
        return await withTaskGroup(of: Message?.self) { group in
            group.addTask {
                try? await sleep(timeout)
                self.release()
                return nil
            }
            group.addTask { await self.receive() }
            // The first child to finish decides; a message that raced the timer is handed back, not lost.
            let first = await group.next() ?? nil
            group.cancelAll()
            self.release()
            let second = await group.next() ?? nil
            if let second { box.withLock { $0.queue.insert(second, at: 0) } }
            return first ?? box.withLock { $0.queue.isEmpty ? nil : $0.queue.removeFirst() }
        }
    }

    private func receive() async -> Message? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Message?, Never>) in
                let queued = box.withLock { box -> Message?? in
                    if !box.queue.isEmpty { return .some(box.queue.removeFirst()) }
                    if Task.isCancelled { return .some(nil) }
                    box.waiter = continuation
                    return .none
                }
                if let queued { continuation.resume(returning: queued) }
            }
        } onCancel: {
            self.release()
        }
    }

    /// Resumes a waiting receiver with nothing.
    private func release() {
        let waiter = box.withLock { box -> CheckedContinuation<Message?, Never>? in
            defer { box.waiter = nil }
            return box.waiter
        }
        waiter?.resume(returning: nil)
    }
}
