extension WatchdogService {
    /// `--once`: one full poll, then wait (bounded) for its kills to be confirmed. Returns how many clusters
    /// were listed, and how many failed.
    /// - Throws: `StateFileError` when the state database cannot be opened.
    public func runOnce() async throws -> (polled: Int, failed: Int) {
        machine = WatchdogStateMachine(
            config: machine.config, dryRun: options.dryRun, timing: options.timing, mode: .once)
        try start()
        await scanExtensions()
        let report = await rounds.poll(config: machine.config, evaluator: machine.evaluator, discover: true)
        await perform(machine.pollFinished(report, now: clock.now(), jitter: 0))
        await perform(machine.pollActedOn(now: clock.now()))
        let deadline = ContinuousClock.now + options.timing.onceVerifyBound
        while machine.pendingKills > 0, ContinuousClock.now < deadline {
            if stopping || Task.isCancelled { break }
            // Until the next verification or budget slot, not a fixed interval: kills a budget holds back
            // leave as soon as it refills.
            let wait = machine.nextWake().map { Duration.milliseconds(max(10, $0 - clock.now())) }
            _ = await inbox.next(
                within: min(wait ?? options.timing.verifyInterval, options.timing.verifyInterval), sleep: sleep)
            await perform(machine.timerFired(now: clock.now()))
            await perform([.persist])  // `--once` has no turns: what the reads changed is saved after each wait
        }
        await perform([.persist])
        sink.emit(.progress(machine.currentStatus))
        return (report.polled, report.failures.count)
    }
}
