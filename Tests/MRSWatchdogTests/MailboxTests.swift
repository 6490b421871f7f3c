import Synchronization
import Testing

@testable import MRSWatchdog

/// The daemon loop's inbox: messages are taken in order, none is lost to a timeout, and a wait ends at its
/// time when nothing comes.
struct MailboxTests {
    @Test func postedMessagesAreTakenInOrderWithoutWaiting() async {
        let mailbox = Mailbox<Int>()
        for message in 1...3 { mailbox.post(message) }
        var taken: [Int?] = []
        for _ in 1...3 {
            taken.append(await mailbox.next(within: .seconds(60), sleep: { try await Task.sleep(for: $0) }))
        }
        #expect(taken == [1, 2, 3])
    }

    @Test func aWaitEndsAtItsTimeWhenNothingComes() async {
        let mailbox = Mailbox<Int>()
        let slept = Mutex<[Duration]>([])
        let message = await mailbox.next(within: .milliseconds(20)) { duration in
            slept.withLock { $0.append(duration) }
            try await Task.sleep(for: duration)
        }
        #expect(message == nil)
        #expect(slept.withLock { $0 } == [.milliseconds(20)])
    }

    @Test func aMessagePostedWhileWaitingEndsTheWait() async {
        let mailbox = Mailbox<String>()
        async let message = mailbox.next(within: .seconds(60), sleep: { try await Task.sleep(for: $0) })
        try? await Task.sleep(for: .milliseconds(20))
        mailbox.post("poll finished")
        #expect(await message == "poll finished")
    }

    /// Messages that race the timer, posted from other tasks while waits end: every one is taken once.
    @Test func noMessageIsLostWhenItRacesTheTimer() async {
        let mailbox = Mailbox<Int>()
        let count = 200
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for message in 0..<count {
                    mailbox.post(message)
                    // About as long as a wait: posts land before, during and after the timer fires.
                    try? await Task.sleep(for: .microseconds(message % 3 == 0 ? 80 : 10))
                }
            }
            var taken: [Int] = []
            while taken.count < count {
                if let message = await mailbox.next(within: .microseconds(50), sleep: { try await Task.sleep(for: $0) })
                {
                    taken.append(message)
                }
            }
            #expect(taken == Array(0..<count), "in order, each once")
            await group.waitForAll()
        }
    }

    @Test func aCancelledWaitReturnsNothing() async {
        let mailbox = Mailbox<Int>()
        let task = Task { await mailbox.next(within: .seconds(60), sleep: { try await Task.sleep(for: $0) }) }
        try? await Task.sleep(for: .milliseconds(20))
        task.cancel()
        #expect(await task.value == nil)
        mailbox.post(7)
        #expect(await mailbox.next(within: .seconds(1), sleep: { try await Task.sleep(for: $0) }) == 7, "kept")
    }
}
