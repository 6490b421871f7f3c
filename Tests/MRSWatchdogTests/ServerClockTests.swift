import MRSWatchdog
import Synchronization
import Testing

/// `ServerClock` with a manual monotonic clock and host clock: one response cannot move server time, several
/// that agree (spread over time) can, and a slow drift is followed without a single outlier.
struct ServerClockTests {
    static let start: Int64 = 1_796_000_000_000
    static let day: Int64 = 86_400_000

    /// A host clock and a monotonic clock the test moves by hand.
    final class Clocks: Sendable {
        let host = Mutex<Int64>(ServerClockTests.start)
        let monotonic = Mutex<Int64>(0)

        func advance(_ millis: Int64) {
            host.withLock { $0 += millis }
            monotonic.withLock { $0 += millis }
        }

        func clock() -> ServerClock {
            ServerClock(hostNow: { self.host.withLock { $0 } }, monotonicNow: { self.monotonic.withLock { $0 } })
        }
    }

    @Test func oneDateFarAheadMovesNothing() {
        let clocks = Clocks()
        let clock = clocks.clock()
        clock.observe(serverMillis: Self.start)
        clocks.advance(20 * 60_000)
        clock.observe(serverMillis: Self.start + 40 * Self.day)  // a proxy's or a cache's Date
        let now = clock.now()
        #expect(abs(now - (Self.start + 20 * 60_000)) < 1000, "server time moved to \(now - Self.start) ms")
        let outliers = clock.takeOutliers()
        #expect(outliers.count == 1 && outliers.stepsMillis.isEmpty)
        #expect(outliers.largestOffsetMillis > 39 * Self.day)
        #expect(clock.takeOutliers().isEmpty, "taken once")
        // The next honest answers agree, and the estimate goes on as before.
        clocks.advance(1000)
        clock.observe(serverMillis: Self.start + 20 * 60_000 + 1000)
        #expect(abs(clock.now() - (Self.start + 20 * 60_000 + 1000)) < 1000)
        #expect(clock.takeOutliers().isEmpty)
    }

    @Test func oneDateFarBehindMovesNothing() {
        let clocks = Clocks()
        let clock = clocks.clock()
        clock.observe(serverMillis: Self.start)
        clocks.advance(60_000)
        clock.observe(serverMillis: Self.start - 3 * Self.day)
        #expect(abs(clock.now() - (Self.start + 60_000)) < 1000)
        #expect(clock.takeOutliers().count == 1)
    }

    @Test func aRealStepIsTakenWhenSeveralResponsesAgreeOverTime() {
        let clocks = Clocks()
        let clock = clocks.clock()
        clock.observe(serverMillis: Self.start)
        let step: Int64 = 10 * 60_000
        // The server's clock is corrected 10 minutes forward; the host's is not.
        var server = Self.start
        for index in 0..<ServerClock.confirmations {
            clocks.advance(ServerClock.confirmSpanMillis / Int64(ServerClock.confirmations - 1))
            server = Self.start + clocks.monotonic.withLock { $0 } + step
            #expect(abs(clock.now() - (server - step)) < 1000, "before it is confirmed (\(index))")
            clock.observe(serverMillis: server)
        }
        #expect(abs(clock.now() - server) < 1000, "the step is taken")
        let outliers = clock.takeOutliers()
        #expect(outliers.stepsMillis.count == 1 && abs(outliers.stepsMillis[0] - step) < 1000)
    }

    @Test func repeatedCopiesOfOneCachedAnswerDoNotConfirmAStep() {
        let clocks = Clocks()
        let clock = clocks.clock()
        clock.observe(serverMillis: Self.start)
        let cached = Self.start + 40 * Self.day
        // The same stale answer, served again and again within a second: never spread over time.
        for _ in 0..<10 {
            clocks.advance(100)
            clock.observe(serverMillis: cached)
        }
        #expect(abs(clock.now() - (Self.start + 1000)) < 1000)
        // Served later with the same Date: it no longer agrees with itself projected forward.
        clocks.advance(ServerClock.confirmSpanMillis)
        clock.observe(serverMillis: cached)
        #expect(clock.now() < Self.start + Self.day)
        #expect(clock.takeOutliers().stepsMillis.isEmpty)
    }

    @Test(arguments: [Int64(200), -200])
    func aSlowDriftIsFollowedWithoutOutliers(_ ppm: Int64) {
        // The server's clock runs 200 ppm fast (or slow) against the monotonic clock: 17 s a day.
        let clocks = Clocks()
        let clock = clocks.clock()
        var worst: Int64 = 0
        for minute in Int64(0)..<(24 * 60) {
            let elapsed = minute * 60_000
            let server = Self.start + elapsed + elapsed * ppm / 1_000_000
            clocks.monotonic.withLock { $0 = elapsed }
            clocks.host.withLock { $0 = Self.start + elapsed }
            clock.observe(serverMillis: server / 1000 * 1000)  // Date has whole seconds
            worst = max(worst, clock.now() - server)
        }
        #expect(clock.takeOutliers().isEmpty)
        #expect(worst < 1000, "ahead of the server by \(worst) ms at worst")
    }

    @Test func beforeAnyAgreementADisagreeingDateOnlyHoldsTimeBack() {
        // The host is 10 minutes ahead of the server: the server's Date is used.
        let ahead = Clocks()
        let clock = ahead.clock()
        clock.observe(serverMillis: Self.start - 10 * 60_000)
        #expect(abs(clock.now() - (Self.start - 10 * 60_000)) < 1000)
        #expect(clock.hostSkewMillis().map { $0 > 9 * 60_000 } == true)
        // A first Date 40 days ahead of an honest host is not believed, nor are many that agree with it over
        // minutes (a proxy in front of everything from the start): kills follow the host clock, counted.
        let honest = Clocks()
        let other = honest.clock()
        for _ in 0..<20 {
            other.observe(serverMillis: Self.start + honest.monotonic.withLock { $0 } + 40 * Self.day)
            #expect(other.now() == honest.host.withLock { $0 })
            honest.advance(10_000)
        }
        let outliers = other.takeOutliers()
        #expect(outliers.count == 20 && outliers.stepsMillis.isEmpty && outliers.largestOffsetMillis >= 40 * Self.day)
    }

    @Test func aStepIsTakenWhenPollsAreCloserThanItsSpan() {
        // poll_interval 30 s, two clusters: two answers per poll. Any three in a row span 31 s, the run 61 s.
        let clocks = Clocks()
        let clock = clocks.clock()
        clock.observe(serverMillis: Self.start)
        let step: Int64 = -10 * 60_000
        // The server's clock steps back at 30 s; its answers come at 30, 30.3, 60.6, 60.9 and 91.2 s.
        for at in [Int64(30_000), 300, 30_300, 300] {
            clocks.advance(at)
            clock.observe(serverMillis: Self.start + clocks.monotonic.withLock { $0 } + step)
        }
        #expect(clock.takeOutliers().stepsMillis.isEmpty, "30.9 s of agreement: not yet")
        clocks.advance(30_300)
        clock.observe(serverMillis: Self.start + clocks.monotonic.withLock { $0 } + step)
        #expect(abs(clock.now() - (Self.start + 91_200 + step)) < 1000, "the step is taken after 60 s")
        #expect(clock.takeOutliers().stepsMillis.count == 1)
    }

    /// A node whose `Date` rides an edge of the window, answering between honest nodes for hours: the
    /// anchor follows the honest majority, so honest answers never become outliers.
    @Test(arguments: [Int64(1_900), -4_500])
    func aNodeAtTheEdgeOfTheWindowCannotCarryTheAnchor(_ offset: Int64) {
        let clocks = Clocks()
        let clock = clocks.clock()
        clock.observe(serverMillis: Self.start)
        var honestOutliers = 0
        var worst: Int64 = 0
        for second in stride(from: Int64(20), through: 6 * 3600, by: 20) {
            clocks.advance(20_000)
            let server = Self.start + second * 1000
            // The edge node answers first after every anchor move, and once for every two honest answers.
            clock.observe(serverMillis: server + offset)
            _ = clock.takeOutliers()
            clock.observe(serverMillis: server)
            clock.observe(serverMillis: server)
            honestOutliers += clock.takeOutliers().count
            worst = max(worst, abs(clock.now() - server))
        }
        #expect(honestOutliers == 0)
        #expect(worst <= 2_000 + (offset < 0 ? ServerClock.behindMillis : 0), "strayed \(worst) ms")
    }

    /// A proxy (or a node) whose `Date` strays a little further with each answer, alone or between honest
    /// answers: the estimate moves no faster than a clock drifts, and honest answers still agree.
    @Test(arguments: [Int64(900), -900], [true, false])
    func aRunOfDatesThatEachStrayALittleCannotWalkTheEstimate(_ stepPerAnswer: Int64, interleaved: Bool) {
        let clocks = Clocks()
        let clock = clocks.clock()
        clock.observe(serverMillis: Self.start)
        var worst: Int64 = 0
        let seconds: Int64 = 2 * 3600
        for second in Int64(1)...seconds {
            clocks.advance(1000)
            let server = Self.start + second * 1000
            clock.observe(serverMillis: server + second * stepPerAnswer)
            if interleaved {
                _ = clock.takeOutliers()
                clock.observe(serverMillis: server)
                #expect(clock.takeOutliers().isEmpty, "an honest answer was not believed at \(second) s")
            }
            worst = max(worst, abs(clock.now() - server))
        }
        let allowed = ServerClock.behindMillis + 2_000 + seconds * 1000 * 2 * ServerClock.driftPPM / 1_000_000
        #expect(worst <= allowed, "walked \(worst) ms in \(seconds) s (\(abs(stepPerAnswer) * seconds) ms unchecked)")
        #expect(clock.takeOutliers().stepsMillis.isEmpty)
    }

    @Test func aStepSeenWithinOnePollIsNotTaken() {
        // One gateway node with a clock 10 minutes ahead answers a whole poll: 40 requests over 20 s.
        let clocks = Clocks()
        let clock = clocks.clock()
        clock.observe(serverMillis: Self.start)
        let step: Int64 = 10 * 60_000
        for _ in 0..<40 {
            clocks.advance(500)
            clock.observe(serverMillis: Self.start + clocks.monotonic.withLock { $0 } + step)
        }
        #expect(abs(clock.now() - (Self.start + 20_000)) < 1000, "server time moved by one poll's answers")
        let outliers = clock.takeOutliers()
        #expect(outliers.count == 40 && outliers.stepsMillis.isEmpty)
    }
}
