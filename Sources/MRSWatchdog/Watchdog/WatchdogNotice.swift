/// Something an operator should read that is not a decision about a job: start-up facts, MRS trouble,
/// reload outcomes. Typed, so that each sink renders it from one place: `message` is constant per case (a
/// log line's text), `metadata` carries the facts under dotted keys (`cluster.id`, `job.id`, `error.code`),
/// and `text` is the one human sentence the live view, notifications and tests read.
public enum WatchdogNotice: Sendable, Hashable {
    /// The state database (or 0.1's state file) could not be read; it was moved aside (when `movedTo` is set)
    /// and the daemon carries on without it.
    case stateUnreadable(path: String, reason: String, movedTo: String?)
    case stateSaveFailed(reason: String)
    /// Version 0.1's state file was imported into the database (and renamed to `movedTo`, nil if it could not be).
    case stateImported(from: String, movedTo: String?, kills: Int)
    /// Kills from the saved state whose verification goes on after a restart.
    case resumingVerification(count: Int)
    /// The host clock is this far ahead of MRS server time (negative: behind), ms.
    case clockSkew(millis: Int64)
    /// `Date` headers that strayed from server time and were not believed, and confirmed steps of it.
    case clockOutliers(ClockOutliers)
    /// Cluster list entries that could not be read (indices), and listed clusters whose tags could not be.
    case clusterListProblems(malformed: [Int], unreadableTags: [String])
    /// Discovery failed; `kept` says what is watched instead.
    case discoveryFailed(HuaweiCloudError, kept: String)
    case clusterPollFailed(cluster: String, error: HuaweiCloudError)
    case clusterAnswering(cluster: String)
    /// Job entries of a cluster's listing that could not be read, with where the first few were.
    case jobEntriesSkipped(cluster: String, count: Int, at: [String])
    /// A listing stopped before MRS said it was complete.
    case listingCutShort(cluster: String, reason: String)
    case deadlineReadFailed(JobKey, HuaweiCloudError)
    /// MRS refused the credentials: no calls for `retryMillis`.
    case authBackoff(error: HuaweiCloudError, retryMillis: Int64)
    case unkillable(JobKey, attempts: Int)
    /// A kill about to be sent again is not: the rules, as they are now, no longer say kill.
    case killWithdrawn(JobKey, reason: String)
    /// A reloaded section that only a restart applies.
    case restartNeeded(section: String)
    /// A job's own runtime limit could not be read; `note` says why and that the rule's limit applies.
    case declaredLimitUnreadable(JobKey, note: String)
    /// What was stopped over the last `spanMillis` (about a day: since the last summary), from the decision
    /// history: the daily journal record. Runtimes in ms.
    case summary(DecisionTally, killLoops: Int, runtimeAtKillMillis: Int64, overLimitMillis: Int64, spanMillis: Int64)
    /// A drop-in of the extensions directory is malformed (or unreadable): it changes nothing. Once per file
    /// and problem.
    case extensionMalformed(directory: String, file: String, owner: String, problem: String)
    /// The extensions directory cannot be listed: no extension applies until it can.
    case extensionsUnreadable(reason: String)
    /// Drop-ins not read (beyond `ExtensionDirectory.maxEntriesPerOwner`) or malformed ones not reported one by
    /// one (beyond the first few), so a flood of files cannot flood the journal: once per change.
    case extensionsNotListed(directory: String, note: String)

    public enum Severity: String, Sendable {
        case info, warning, error
    }

    public var severity: Severity {
        switch self {
        case .resumingVerification, .clusterAnswering, .stateImported, .summary: return .info
        case .stateUnreadable, .stateSaveFailed, .discoveryFailed, .authBackoff, .unkillable: return .error
        case .clockSkew, .clockOutliers, .clusterListProblems, .clusterPollFailed, .jobEntriesSkipped, .listingCutShort,
            .deadlineReadFailed, .restartNeeded, .killWithdrawn, .declaredLimitUnreadable, .extensionMalformed,
            .extensionsUnreadable, .extensionsNotListed:
            return .warning
        }
    }

    /// The same words for every occurrence of the case.
    public var message: String {
        switch self {
        case .stateUnreadable: return "saved state unreadable"
        case .stateSaveFailed: return "could not save state"
        case .stateImported: return "0.1 state file imported"
        case .resumingVerification: return "resuming kill verification from the saved state"
        case .clockSkew: return "host clock differs from MRS server time"
        case .clockOutliers: return "MRS Date headers disagree with server time"
        case .clusterListProblems: return "cluster list partly unreadable"
        case .discoveryFailed: return "cluster discovery failed"
        case .clusterPollFailed: return "cluster could not be polled"
        case .clusterAnswering: return "cluster is answering again"
        case .jobEntriesSkipped: return "job entries could not be read"
        case .listingCutShort: return "job listing cut short"
        case .deadlineReadFailed: return "job could not be read at its deadline"
        case .authBackoff: return "auth failing"
        case .unkillable: return "job marked unkillable"
        case .killWithdrawn: return "kill withdrawn"
        case .restartNeeded: return "reloaded setting needs a restart"
        case .declaredLimitUnreadable: return "job's declared limit unreadable"
        case .summary: return "summary of what was stopped"
        case .extensionMalformed: return "extension file malformed"
        case .extensionsUnreadable: return "extensions directory unreadable"
        case .extensionsNotListed: return "extension files not listed"
        }
    }

    /// The facts, under dotted keys.
    public var metadata: [String: String] {
        switch self {
        case .stateUnreadable(let path, let reason, let movedTo):
            return ["state.path": path, "reason": reason, "state.moved_to": movedTo ?? "-"]
        case .stateSaveFailed(let reason): return ["reason": reason]
        case .stateImported(let from, let movedTo, let kills):
            return ["state.path": from, "state.moved_to": movedTo ?? "-", "kills": "\(kills)"]
        case .resumingVerification(let count): return ["kills": "\(count)"]
        case .clockSkew(let millis): return ["clock.skew_ms": "\(millis)"]
        case .clockOutliers(let outliers):
            return [
                "clock.outliers": "\(outliers.count)", "clock.largest_offset_ms": "\(outliers.largestOffsetMillis)",
                "clock.steps_ms": outliers.stepsMillis.map(String.init).joined(separator: ","),
            ]
        case .clusterListProblems(let malformed, let unreadableTags):
            return [
                "entries.unreadable": malformed.map(String.init).joined(separator: ","),
                "clusters.tags_unreadable": unreadableTags.joined(separator: ","),
            ]
        case .discoveryFailed(let error, let kept): return Self.describe(error).merging(["watching": kept]) { $1 }
        case .clusterPollFailed(let cluster, let error):
            return Self.describe(error).merging(["cluster.id": cluster]) { $1 }
        case .clusterAnswering(let cluster): return ["cluster.id": cluster]
        case .jobEntriesSkipped(let cluster, let count, let at):
            return ["cluster.id": cluster, "entries": "\(count)", "entries.at": at.joined(separator: ", ")]
        case .listingCutShort(let cluster, let reason): return ["cluster.id": cluster, "reason": reason]
        case .deadlineReadFailed(let key, let error):
            return Self.describe(error).merging(["cluster.id": key.clusterId, "job.id": key.jobId]) { $1 }
        case .authBackoff(let error, let retryMillis):
            return Self.describe(error).merging(["retry_in": DurationText.format(millis: retryMillis)]) { $1 }
        case .unkillable(let key, let attempts):
            return ["cluster.id": key.clusterId, "job.id": key.jobId, "kill.attempts": "\(attempts)"]
        case .restartNeeded(let section): return ["config.section": section]
        case .declaredLimitUnreadable(let key, let note):
            return ["cluster.id": key.clusterId, "job.id": key.jobId, "reason": note]
        case .summary(let tally, let loops, let runtime, let over, let span):
            return [
                "summary.span_sec": "\(span / 1000)", "kills": "\(tally.killed)",
                "kills.confirmed": "\(tally.confirmed)",
                "kills.unkillable": "\(tally.unkillable)", "warnings": "\(tally.warned)", "kill_loops": "\(loops)",
                "runtime_at_kill_sec": "\(runtime / 1000)", "over_limit_sec": "\(over / 1000)",
            ]
        case .killWithdrawn(let key, let reason):
            return ["cluster.id": key.clusterId, "job.id": key.jobId, "reason": reason]
        case .extensionMalformed(let directory, let file, let owner, let problem):
            return ["extension.file": directory + "/" + file, "extension.owner": owner, "reason": problem]
        case .extensionsUnreadable(let reason): return ["reason": reason]
        case .extensionsNotListed(let directory, let note): return ["extension.directory": directory, "reason": note]
        }
    }

    /// One human sentence.
    public var text: String {
        switch self {
        case .stateUnreadable(let path, let reason, let movedTo):
            return "\(path) is unreadable: \(reason); "
                + (movedTo.map { "moved to \($0)" } ?? "left where it is") + "; carrying on without it"
        case .stateSaveFailed(let reason): return "could not save state: \(reason)"
        case .stateImported(let from, let movedTo, let kills):
            return "imported \(kills) kill record(s) from \(from) into the state database; "
                + (movedTo.map { "renamed it \($0)" } ?? "could not rename it (it is imported again, harmlessly)")
        case .resumingVerification(let count): return "resuming verification of \(count) kill(s) from the saved state"
        case .clockSkew(let millis):
            return
                "the host clock is \(DurationText.format(millis: abs(millis))) \(millis > 0 ? "ahead of" : "behind") MRS server time; runtimes are measured in server time"
        case .clockOutliers(let outliers):
            var parts: [String] = []
            if outliers.count > 0 {
                let offset = outliers.largestOffsetMillis
                parts.append(
                    "\(Self.count(outliers.count, "response", "responses")) carried a Date up to \(DurationText.format(millis: abs(offset))) \(offset > 0 ? "ahead of" : "behind") MRS server time and \(outliers.count == 1 ? "was" : "were") not believed (one response cannot move it)"
                )
            }
            for step in outliers.stepsMillis {
                parts.append(
                    "server time stepped \(DurationText.format(millis: abs(step))) \(step > 0 ? "forward" : "back"), as several responses agreed"
                )
            }
            return parts.joined(separator: "; ")
        case .clusterListProblems(let malformed, let unreadableTags):
            var problems: [String] = []
            if !malformed.isEmpty {
                let indices = malformed.map(String.init).joined(separator: ", ")
                problems.append(
                    "\(Self.count(malformed.count, "entry", "entries")) could not be read and skipped (index \(indices)); the other clusters are watched"
                )
            }
            if !unreadableTags.isEmpty {
                problems.append(
                    "the tags of \(unreadableTags.joined(separator: ", ")) could not be read: no tag selects them, rules on tags fail closed there"
                )
            }
            return "cluster list: " + problems.joined(separator: "; ")
        case .discoveryFailed(let error, let kept): return "cluster discovery failed: \(error); \(kept)"
        case .clusterPollFailed(let cluster, let error): return "cluster \(cluster) could not be polled: \(error)"
        case .clusterAnswering(let cluster): return "cluster \(cluster) is answering again"
        case .jobEntriesSkipped(let cluster, let count, let at):
            return
                "cluster \(cluster): \(Self.count(count, "job entry", "job entries")) could not be read and skipped (\(at.joined(separator: ", ")))"
        case .listingCutShort(let cluster, let reason):
            return "cluster \(cluster): \(reason); its listing was cut short and the jobs read so far are used"
        case .deadlineReadFailed(let key, let error): return "job \(key) could not be read at its deadline: \(error)"
        case .authBackoff(let error, let retryMillis): return "\(authSummary(error, retryMillis)): \(error)"
        case .unkillable(let key, let attempts):
            return "job \(key) is still active after \(attempts) kill requests; marked unkillable"
        case .killWithdrawn(let key, let reason):
            return "kill of \(key) withdrawn: the rules no longer say kill (\(reason))"
        case .declaredLimitUnreadable(let key, let note): return "job \(key): \(note)"
        case .summary(let tally, let loops, let runtime, let over, let span):
            return "in the last \(DurationText.format(millis: span)): \(tally.text), \(loops) kill loop(s); the killed"
                + " jobs had run \(DurationText.format(millis: runtime / 1000 * 1000)) in all,"
                + " \(DurationText.format(millis: over / 1000 * 1000)) of it over their limits"
        case .extensionMalformed(let directory, let file, let owner, let problem):
            return "extension \(directory)/\(file) (owner \(owner)): \(problem); it changes nothing"
        case .extensionsUnreadable(let reason):
            return "\(reason); no extension applies until it can be read"
        case .extensionsNotListed(let directory, let note): return "\(directory): \(note)"
        case .restartNeeded(let section):
            return section == "mrs"
                ? "reload: the mrs section changed; endpoint, project and CA take effect after a restart"
                : "reload: \(section) changed: restart to apply"
        }
    }

    /// `auth failing (APIG.0301), retrying in 5m`, the words the status line shows.
    func authSummary(_ error: HuaweiCloudError, _ retryMillis: Int64) -> String {
        "auth failing (\(error.errorCode ?? error.httpStatus.map(String.init) ?? "auth")), retrying in \(DurationText.format(millis: retryMillis))"
    }

    private static func describe(_ error: HuaweiCloudError) -> [String: String] {
        ["error.code": error.metricLabel, "error": "\(error)"]
    }

    /// `1 entry`, `3 entries`.
    static func count(_ number: Int, _ one: String, _ many: String) -> String {
        "\(number) \(number == 1 ? one : many)"
    }
}

extension WatchdogNotice {
    /// The breaker in the one wording every output uses: the log, a notification, the live view, STATUS.
    public static func breakerText(open: Bool, candidates: Int, threshold: Int) -> String {
        open
            ? "breaker open: \(candidates) jobs to kill > breaker_threshold \(threshold); killing none until the count drops"
            : "breaker closed: \(candidates) jobs to kill; killing again"
    }

    /// A refused reload in the one wording every output uses; `firstLineOnly` for STATUS, which is one line.
    public static func reloadRefusedText(_ reason: String, firstLineOnly: Bool = false) -> String {
        let shown = firstLineOnly ? reason.split(separator: "\n").first.map(String.init) ?? reason : reason
        return "reload failed: \(shown); keeping previous rules"
    }
}
