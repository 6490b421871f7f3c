import MRSWatchdog
import Testing

/// The kill policy without sockets or sleeps: given events (with a manual server time), expect actions.
/// Actions are compared as short lines: `kill c1/j1`, `read c1/j1`, `persist`, `warn c1/j1`, `notice: …`.
/// Polls are an hour apart, so only the tests about polls see one start.
struct WatchdogStateMachineTests {
    static let start: Int64 = 1_800_000_000_000
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000

    /// A running `etl-*` job that started `ago` ms before `now`.
    static func job(_ id: String, ago: Int64, at now: Int64 = start, state: String = "RUNNING") -> JobExecution {
        JobExecution(
            jobId: id, jobName: "etl-\(id)", jobStateText: state, submittedTime: now - ago - 1000,
            startedTime: state == "RUNNING" ? now - ago : nil)
    }

    static func ended(_ id: String, at now: Int64) -> JobExecution {
        var done = job(id, ago: 2 * hour, at: now)
        done.jobStateText = "KILLED"
        done.finishedTime = now - 1000
        return done
    }

    static let refused0175 = HuaweiCloudError.service(operation: "kill", httpStatus: 400, errorCode: "0175")
    static let throttled = HuaweiCloudError.gateway(operation: "kill", httpStatus: 429, errorCode: "APIG.0308")
    static let unauthorized = HuaweiCloudError.gateway(operation: "list", httpStatus: 401, errorCode: "APIG.0301")

    // MARK: Kill, verify, re-kill, unkillable, gone

    @Test func aJobOverItsLimitIsKilledAfterItsIntentIsSaved() throws {
        var harness = try Harness()
        let actions = harness.poll([Self.job("j1", ago: Self.hour + 1), Self.job("j2", ago: Self.minute)])
        #expect(actions == ["persist", "kill c1/j1", "persist"])
        #expect(harness.machine.hasKillRecord(harness.key("j1")))
        // MRS's answer is saved with the rest of the turn, not in a commit of its own.
        #expect(harness.killed("j1") == ["kill-decision c1/j1"])
        #expect(Harness.lines(harness.machine.turnEnded()) == ["persist"])
        // A second poll that still lists it does not kill it again.
        #expect(harness.poll([Self.job("j1", ago: Self.hour + 2)]) == [])
    }

    /// A turn's kills leave after one commit of all their intents, and MRS's answers are saved by one more:
    /// two `fdatasync`s, not two per kill. Performed as the shell does: each request's answer before the next.
    @Test func theKillsOfATurnCostOneCommitForTheirIntentsAndOneForTheirAnswers() throws {
        var harness = try Harness()
        let jobs = ["j1", "j2", "j3"].map { Self.job($0, ago: Self.hour + 1) } + [Self.job("j4", ago: Self.minute)]
        var queue = harness.machine.pollFinished(harness.report(jobs), now: harness.now, jitter: 0)[...]
        var commits: [[KillRecord]] = []
        var sent: [String] = []
        while let action = queue.popFirst() {
            switch action {
            case .persist:
                commits.append(
                    harness.machine.takeChanges().kills.values.compactMap { $0 }.sorted { $0.jobId < $1.jobId })
            case .sendKill(let key):
                #expect(commits.last?.contains { $0.jobId == key.jobId && !$0.accepted } == true, "intent first")
                sent.append(key.jobId)
                let failure = key.jobId == "j2" ? Self.throttled : nil
                queue.insert(
                    contentsOf: harness.machine.killAnswered(key, failure: failure, now: harness.now),
                    at: queue.startIndex)
            default: continue
            }
        }
        #expect(sent == ["j1", "j2", "j3"])
        #expect(commits.count == 2)
        #expect(commits.first?.map(\.jobId) == ["j1", "j2", "j3"])
        #expect(commits.last?.map(\.accepted) == [true, false, true], "the answers, j2's a refusal")
    }

    @Test func aKillIsVerifiedThenSentAgainAfterTheBoundThenMarkedUnkillable() throws {
        var harness = try Harness()
        _ = harness.poll([Self.job("j1", ago: Self.hour)])
        _ = harness.killed("j1")
        let stillRunning = Self.job("j1", ago: Self.hour)
        for attempt in 2...3 {
            // Read every 5 s; no second kill before 60 s.
            #expect(harness.timer(after: 5_000) == ["read c1/j1"])
            #expect(harness.read(stillRunning) == [])
            #expect(harness.timer(after: 55_000) == ["read c1/j1"])
            #expect(harness.read(stillRunning) == ["persist", "kill c1/j1", "persist"])
            #expect(harness.killed("j1") == ["kill-retried c1/j1"], "attempt \(attempt)")
        }
        #expect(harness.timer(after: 60_000) == ["read c1/j1"])
        #expect(
            harness.read(stillRunning) == [
                "unkillable c1/j1", "notice: job c1/j1 is still active after 3 kill requests; marked unkillable",
            ])
        #expect(harness.timer(after: 60_000) == [], "an unkillable job is not read or killed again")
    }

    /// A read sent before the bound whose answer comes after it (a slow or starved MRS) says nothing about
    /// the job after the bound: the kill is not sent again until a read sent after the bound finds it running.
    @Test func aSlowVerificationAnswerIsJudgedByWhenItsReadLeft() throws {
        var harness = try Harness()
        _ = harness.poll([Self.job("j1", ago: Self.hour)])
        _ = harness.killed("j1")
        #expect(harness.timer(after: 55_000) == ["read c1/j1"])
        harness.now += 10_000
        #expect(harness.read(Self.job("j1", ago: Self.hour)) == [], "seen running 55 s after the kill")
        #expect(harness.timer(after: 5_000) == ["read c1/j1"])
        #expect(harness.read(Self.job("j1", ago: Self.hour)) == ["persist", "kill c1/j1", "persist"])
    }

    @Test func aConfirmedKillEndsTheVerification() throws {
        var harness = try Harness()
        _ = harness.poll([Self.job("j1", ago: Self.hour)])
        _ = harness.killed("j1")
        #expect(harness.timer(after: 5_000) == ["read c1/j1"])
        #expect(harness.read(Self.ended("j1", at: harness.now)) == ["kill-confirmed c1/j1"])
        #expect(harness.machine.pendingKills == 0)
    }

    @Test func aKillRefusedBecauseTheJobEndedIsGone() throws {
        var harness = try Harness()
        _ = harness.poll([Self.job("j1", ago: Self.hour)])
        #expect(harness.killed("j1", Self.refused0175) == ["read c1/j1"])
        #expect(harness.read(Self.ended("j1", at: harness.now)) == ["gone c1/j1"])
    }

    @Test func aKillRefusedWhileTheJobRunsIsUnkillableAtOnce() throws {
        var harness = try Harness()
        _ = harness.poll([Self.job("j1", ago: Self.hour)])
        _ = harness.killed("j1", Self.refused0175)
        let actions = harness.read(Self.job("j1", ago: Self.hour))
        #expect(actions.prefix(2) == ["kill-failed c1/j1", "unkillable c1/j1"])
    }

    @Test func aThrottledKillIsNotAnAttemptAndIsSentAgainAfterTheNextRead() throws {
        var harness = try Harness()
        _ = harness.poll([Self.job("j1", ago: Self.hour)])
        #expect(harness.killed("j1", Self.throttled) == ["kill-failed c1/j1"])
        #expect(harness.timer(after: 5_000) == ["read c1/j1"])
        #expect(harness.read(Self.job("j1", ago: Self.hour)) == ["persist", "kill c1/j1", "persist"])
        #expect(
            harness.killed("j1") == ["kill-decision c1/j1"], "the first accepted kill counts as the first")
    }

    @Test func aReadThatAnswersForAnotherJobOrWithAnUnknownStateKillsNothing() throws {
        var harness = try Harness()
        _ = harness.poll([Self.job("j1", ago: Self.hour)])
        _ = harness.killed("j1")
        #expect(harness.timer(after: 60_000) == ["read c1/j1"])
        var other = Self.job("j9", ago: Self.hour)
        other.jobId = "j9"
        #expect(Harness.lines(harness.machine.jobRead(harness.key("j1"), other, now: harness.now)) == [])
        #expect(harness.machine.state.kill(harness.key("j1"))?.lastError?.contains("MRS answered with job j9") == true)
        #expect(harness.timer(after: 5_000) == ["read c1/j1"])
        var odd = Self.job("j1", ago: Self.hour)
        odd.jobStateText = "PAUSED"
        #expect(harness.read(odd) == [], "an unknown state is never a reason to kill again")
        #expect(harness.machine.state.kill(harness.key("j1"))?.lastError?.contains("PAUSED") == true)
    }

    @Test func aKillIsSentAgainOnlyIfTheRulesStillSayKill() throws {
        var harness = try Harness()
        _ = harness.poll([Self.job("j1", ago: Self.hour)])
        _ = harness.killed("j1")
        // The rule is relaxed by a reload while the job still runs: no second kill, the record is withdrawn.
        var config = harness.machine.config
        config.rules[0].maxRuntimeMillis = 10 * Self.hour
        _ = harness.machine.configReplaced(.success(config), now: harness.now)
        #expect(harness.timer(after: 60_000) == ["poll", "read c1/j1"])
        let actions = harness.read(Self.job("j1", ago: Self.hour + Self.minute, at: harness.now))
        #expect(actions.first == "persist")
        #expect(actions.last?.hasPrefix("notice: kill of c1/j1 withdrawn: the rules no longer say kill") == true)
        #expect(!harness.machine.hasKillRecord(harness.key("j1")))
    }

    @Test func aSavedIntentIsDecidedAfreshAfterARestart() throws {
        // The daemon died between saving the intent and sending it; it restarts in dry run.
        var first = try Harness()
        _ = first.poll([Self.job("j1", ago: Self.hour)])
        var restarted = try Harness(dryRun: true, state: first.machine.state)
        restarted.now = first.now
        #expect(restarted.timer(after: 5_000) == ["poll", "read c1/j1"])
        #expect(restarted.read(Self.job("j1", ago: Self.hour, at: restarted.now)).contains("kill c1/j1") == false)
        #expect(!restarted.machine.hasKillRecord(restarted.key("j1")))
    }

    @Test func aJobListedTwiceCountsOnceForTheBreaker() throws {
        var harness = try Harness(safety: #"{"breaker_threshold": 1}"#)
        let job = Self.job("j1", ago: 2 * Self.hour)
        #expect(harness.poll([job, job]).contains("kill c1/j1"))
    }

    /// Kills count wherever they are made — a poll's or a deadline's — and a new poll does not reset them.
    @Test func killsCountSinceStartAndInTheLastHourOnBothPaths() throws {
        var harness = try Harness()
        let overdue = Self.job("j1", ago: 2 * Self.hour)
        let dueSoon = Self.job("j2", ago: Self.hour - 30_000)
        #expect(harness.poll([overdue, dueSoon]).contains("kill c1/j1"), "the poll's path")
        _ = harness.killed("j1")
        let woke = harness.timer(after: 30_000)
        #expect(woke.contains("read c1/j2") && woke.contains("read c1/j1"), "j2's deadline, j1's verification")
        _ = harness.read(Self.ended("j1", at: harness.now))
        #expect(harness.read(Self.job("j2", ago: Self.hour, at: harness.now)).contains("kill c1/j2"), "the deadline's")
        _ = harness.killed("j2")
        _ = harness.poll([Self.job("j3", ago: Self.minute, at: harness.now)])
        let status = harness.machine.currentStatus
        #expect(status.sinceStart == DecisionTally(killed: 2, confirmed: 1, warned: 1))
        #expect(status.lastHour == DecisionTally(killed: 2, confirmed: 1, warned: 1))
        #expect(status.text.contains("since start: 2 killed (1 confirmed), 1 warned"))
        let cycle = try #require(harness.lastCycle)
        #expect(cycle.sinceStart == status.sinceStart && cycle.lastHour == status.lastHour, "the cycle's log line")
        #expect(cycle.kinds[.kill] == nil, "this cycle's own figures stay its own")
        harness.now += Self.hour
        _ = harness.poll([])
        #expect(harness.machine.currentStatus.lastHour == DecisionTally(), "an hour later")
        #expect(harness.machine.currentStatus.sinceStart.killed == 2)
    }

    @Test func killsOverThePerMinuteBudgetWaitInOrderAndLeaveAsItRefills() throws {
        var harness = try Harness(safety: #"{"max_kills_per_minute": 2, "breaker_threshold": 100}"#)
        let jobs = (1...3).map { Self.job("j\($0)", ago: Self.hour + Int64($0) * Self.minute) }
        #expect(harness.poll(jobs).filter { $0.hasPrefix("kill ") } == ["kill c1/j3", "kill c1/j2"])
        #expect(harness.machine.currentStatus.waitingKills == 1)
        _ = harness.killed("j3")
        _ = harness.killed("j2")
        #expect(harness.timer(after: 5_000) == ["read c1/j2", "read c1/j3"], "verification; no third kill yet")
        _ = harness.read(Self.ended("j3", at: harness.now))
        _ = harness.read(Self.ended("j2", at: harness.now))
        let slot = try #require(harness.machine.nextWake())
        #expect(
            slot > harness.now + 55_000 && slot <= harness.now + 57_000,
            "a slot frees a minute (and the clock margin) after the first kill")
        harness.now = slot
        #expect(harness.timer().filter { $0.hasPrefix("kill ") } == ["kill c1/j1"])
        #expect(harness.machine.currentStatus.waitingKills == 0)
    }

    @Test func aReloadDropsTheWaitingKillsItsRulesNoLongerMake() throws {
        var harness = try Harness(safety: #"{"max_kills_per_minute": 1, "breaker_threshold": 100}"#)
        _ = harness.poll([Self.job("j1", ago: 2 * Self.hour), Self.job("j2", ago: 2 * Self.hour)])
        _ = harness.killed("j1")
        var config = harness.machine.config
        config.safety.dryRun = true
        _ = harness.machine.configReplaced(.success(config), now: harness.now)
        #expect(harness.machine.currentStatus.waitingKills == 0)
        #expect(harness.timer(after: Self.hour).filter { $0.hasPrefix("kill ") }.isEmpty)
    }

    @Test func aThrottledKillWaitsForRetryAfter() throws {
        var harness = try Harness()
        _ = harness.poll([Self.job("j1", ago: Self.hour)])
        let throttled = HuaweiCloudError.gateway(
            operation: "kill", httpStatus: 429, errorCode: "APIGW.0308", retryAfterSeconds: 20)
        _ = harness.killed("j1", throttled)
        #expect(harness.timer(after: 5_000) == [], "not before Retry-After")
        #expect(harness.timer(after: 15_000) == ["read c1/j1"])
    }

    @Test func aHourlyBudgetOfZeroPausesKillingWithoutTrouble() throws {
        let state = WatchdogState(warned: [:], kills: [:], killTimes: [Self.start - Self.minute])
        var harness = try Harness(safety: #"{"max_kills_per_hour": 0}"#, state: state)
        #expect(harness.poll([Self.job("j1", ago: 2 * Self.hour)]).filter { $0.hasPrefix("kill ") }.isEmpty)
        #expect(harness.machine.nextWake() == harness.now + Self.hour, "the next poll, not a slot that never frees")
    }

    @Test func readsAtDeadlinesComeOutOfThePerMinuteReadBudget() throws {
        var harness = try Harness(safety: #"{"max_reads_per_minute": 1}"#)
        _ = harness.poll([Self.job("j1", ago: Self.hour - 1000), Self.job("j2", ago: Self.hour - 2000)])
        #expect(harness.timer(after: 2000) == ["read c1/j1"], "one read a minute: the other deadline waits")
        _ = harness.read(Self.job("j1", ago: Self.hour, at: harness.now))
        let slot = try #require(harness.machine.nextWake())
        #expect(slot > harness.now + 59_000, "the next read waits for the window")
        harness.now = slot
        #expect(harness.timer() == ["read c1/j2"])
    }

    // MARK: Deadlines between polls

    @Test func aDeadlineBetweenPollsIsMetByReadingTheJob() throws {
        var harness = try Harness()
        #expect(harness.poll([Self.job("j1", ago: Self.hour - 30_000)]) == ["warn c1/j1"])
        #expect(harness.machine.nextWake() == harness.now + 30_000)
        #expect(harness.timer(after: 29_999) == [])
        #expect(harness.timer(after: 1) == ["read c1/j1"])
        #expect(harness.read(Self.job("j1", ago: Self.hour, at: harness.now)) == ["persist", "kill c1/j1", "persist"])
    }

    @Test func aJobThatCannotBeReadAtItsDeadlineIsTriedAgainNotKilled() throws {
        var harness = try Harness()
        _ = harness.poll([Self.job("j1", ago: Self.hour - 1000)])
        #expect(harness.timer(after: 1000) == ["read c1/j1"])
        let timeout = HuaweiCloudError.transport(.timeout, operation: "show")
        #expect(
            harness.readFailed("j1", timeout).first?.hasPrefix("notice: job c1/j1 could not be read at its deadline")
                == true)
        #expect(harness.machine.nextWake() == harness.now + 5_000)
    }

    // MARK: Budgets and the breaker

    @Test func budgetsPerCycleAndPerHourTakeTheMostOverdueFirst() throws {
        var harness = try Harness(
            safety: #"{"max_kills_per_cycle": 2, "max_kills_per_hour": 3, "breaker_threshold": 10}"#)
        let jobs = (1...4).map { Self.job("j\($0)", ago: Self.hour + Int64($0) * Self.minute) }
        let first = harness.poll(jobs)
        #expect(first.filter { $0.hasPrefix("kill ") } == ["kill c1/j4", "kill c1/j3"])
        #expect(first.filter { $0.hasPrefix("deferred") } == ["deferred c1/j2", "deferred c1/j1"])
        _ = harness.killed("j4")
        _ = harness.killed("j3")
        harness.now += Self.minute
        let second = harness.poll(jobs.map { Self.job($0.jobId, ago: Self.hour + 10 * Self.minute, at: harness.now) })
        #expect(second.filter { $0.hasPrefix("kill ") }.count == 1, "the hourly budget leaves room for one: \(second)")
    }

    @Test func theBreakerHoldsEveryKillAndClosesWhenTheCountDrops() throws {
        var harness = try Harness(safety: #"{"breaker_threshold": 2}"#)
        let many = (1...3).map { Self.job("j\($0)", ago: 2 * Self.hour) }
        let opened = harness.poll(many)
        #expect(opened.contains("breaker open"))
        #expect(!opened.contains { $0.hasPrefix("kill ") })
        #expect(opened.filter { $0.hasPrefix("held") }.count == 3)
        #expect(harness.machine.currentStatus.problem?.hasPrefix("breaker open") == true)
        let closed = harness.poll(Array(many.prefix(2)))
        #expect(closed.contains("breaker closed"))
        #expect(closed.filter { $0.hasPrefix("kill ") }.count == 2)
    }

    @Test func aJobListedTwiceInOnePollIsKilledOnce() throws {
        var harness = try Harness()
        let job = Self.job("j1", ago: 2 * Self.hour)
        #expect(harness.poll([job, job]).filter { $0.hasPrefix("kill ") } == ["kill c1/j1"])
    }

    // MARK: Dry run, report-once, auth back-off

    @Test func aDryRunKillsNothingAndReportsOnce() throws {
        var harness = try Harness(dryRun: true)
        #expect(harness.poll([Self.job("j1", ago: 2 * Self.hour)]) == ["would-kill c1/j1"])
        #expect(harness.poll([Self.job("j1", ago: 2 * Self.hour)]) == [], "reported once per job")
    }

    @Test func authFailureBacksOffForMinutesWithNoReadsOrKills() throws {
        var harness = try Harness()
        _ = harness.poll([Self.job("j1", ago: Self.hour)])
        _ = harness.killed("j1")
        let failed = harness.poll([], failures: ["c1": Self.unauthorized])
        #expect(failed.contains { $0.hasPrefix("notice: auth failing (APIG.0301), retrying in 5m") })
        #expect(harness.machine.nextWake() == harness.now + 300_000)
        #expect(harness.timer(after: 5_000) == [], "no verification reads while the key may be locked")
        #expect(harness.timer(after: 295_000) == ["poll", "read c1/j1"])
    }

    // MARK: Restart and reload

    @Test func aRestartResumesVerificationWithoutASecondKill() throws {
        var first = try Harness()
        _ = first.poll([Self.job("j1", ago: Self.hour)])
        _ = first.killed("j1")
        var restarted = try Harness(state: first.machine.state)
        restarted.now = first.now
        #expect(restarted.poll([Self.job("j1", ago: Self.hour + 1000)]) == [], "the kill record survives the restart")
        #expect(restarted.timer(after: 5_000) == ["read c1/j1"])
        #expect(restarted.read(Self.ended("j1", at: restarted.now)) == ["kill-confirmed c1/j1"])
    }

    @Test func aConfigReplacedMidVerificationKeepsVerifying() throws {
        var harness = try Harness()
        _ = harness.poll([Self.job("j1", ago: Self.hour)])
        _ = harness.killed("j1")
        var config = harness.machine.config
        config.rules = []
        let reloaded = Harness.lines(harness.machine.configReplaced(.success(config), now: harness.now))
        #expect(reloaded == ["reloading", "reloaded"])
        #expect(harness.timer(after: 5_000) == ["poll", "read c1/j1"])
        #expect(harness.read(Self.ended("j1", at: harness.now)) == ["kill-confirmed c1/j1"])
    }

    @Test func aRefusedReloadKeepsTheRulesAndSaysWhy() throws {
        var harness = try Harness()
        let refused = harness.machine.configReplaced(
            .failure(ConfigReloadFailure(ConfigReadFailure())), now: harness.now)
        #expect(Harness.lines(refused) == ["reloading", "reloaded"])
        #expect(harness.machine.currentStatus.problem?.hasPrefix("reload failed: rules.json: unreadable") == true)
        #expect(harness.poll([Self.job("j1", ago: 2 * Self.hour)]).contains("kill c1/j1"))
    }

    @Test func aChangedMetricsAddressIsReportedAsNeedingARestart() throws {
        var harness = try Harness()
        var config = harness.machine.config
        config.metricsListen = "127.0.0.1:9999"
        let actions = Harness.lines(harness.machine.configReplaced(.success(config), now: harness.now))
        #expect(actions.contains("notice: reload: metrics.listen changed: restart to apply"))
        #expect(harness.machine.currentStatus.problem == "restart to apply metrics.listen")
        #expect(harness.machine.config.metricsListen == nil, "the running endpoint stays where it was bound")
        // Reverting the file clears it.
        config.metricsListen = nil
        _ = harness.machine.configReplaced(.success(config), now: harness.now)
        #expect(harness.machine.currentStatus.problem == nil)
    }

    @Test func stopSendsNothingNew() throws {
        var harness = try Harness()
        harness.machine.stopRequested()
        #expect(harness.poll([Self.job("j1", ago: 2 * Self.hour)]).filter { $0.hasPrefix("kill ") }.isEmpty)
        #expect(harness.timer(after: Self.hour) == [])
    }

    /// A kill refused for the credentials blocks every call for the back-off; the machine then asks to be
    /// woken when it ends, so the verification goes again then, not at the next poll an hour later.
    @Test func theLoopIsWokenWhenAnAuthenticationBackOffEnds() throws {
        var harness = try Harness()
        _ = harness.timer()
        #expect(harness.poll([Self.job("j1", ago: 2 * Self.hour)]).contains("kill c1/j1"))
        _ = harness.killed("j1", Self.unauthorized)
        // DaemonTiming's authBackoff: 5 minutes (five failures lock an access key for that long).
        #expect(harness.machine.nextWake() == harness.now + 300_000)
        #expect(harness.timer(after: 300_000) == ["read c1/j1"])
    }

    /// READY goes once the first poll has been acted on (its kills answered), with the status after them; or
    /// once the shell says the first poll is overdue, saying so; never twice.
    @Test func readyGoesOnceAfterTheFirstPollOrWhenItIsOverdue() throws {
        var harness = try Harness()
        #expect(harness.machine.awaitsReady)
        let overdue = harness.machine.readyOverdue()
        guard case .emit(.ready(let status)) = overdue.first else {
            Issue.record("READY when overdue: \(overdue)")
            return
        }
        #expect(status.problem == "first poll still running (MRS slow to answer)")
        #expect(harness.machine.pollActedOn(now: harness.now).isEmpty && harness.machine.readyOverdue().isEmpty)
        var fresh = try Harness()
        _ = fresh.timer()
        _ = fresh.poll([Self.job("j1", ago: 2 * Self.hour)])
        _ = fresh.killed("j1")
        let acted = fresh.machine.pollActedOn(now: fresh.now)
        guard case .emit(.ready(let after)) = acted.first else {
            Issue.record("READY after the first poll: \(acted)")
            return
        }
        #expect(after.sinceStart.killed == 1, "the status counts the poll's kill")
    }

    struct ConfigReadFailure: Error, CustomStringConvertible {
        var description: String { "rules.json: unreadable" }
    }
}
