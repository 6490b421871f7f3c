/// Warnings about a valid config: what `check` prints and `run` logs as it starts (so they are in the
/// journal at every start), never errors. Today: owner-chosen text used as a boundary. A job's name is
/// whatever its owner submits, so a rule that finds jobs by name can be left by renaming one, an exclusion
/// or exemption by name can be joined by naming one, and a kill loop of a name can be made with decoys.
public enum ConfigAdvice {
    /// One sentence per problem, each starting with the JSON path it concerns.
    public static func warnings(_ config: WatchdogConfig) -> [String] {
        var out: [String] = []
        // A ceiling limits a renamed job: an enforce rule with a runtime limit that does not read job names.
        let hasCeiling = config.rules.contains {
            $0.mode == .enforce && $0.maxRuntimeMillis != nil && !readsName($0.match)
        }
        // A ceiling that keeps killing through a loop: what limits a job `on_kill_loop: observe` spares.
        let hasLoopCeiling = config.rules.contains {
            $0.mode == .enforce && $0.maxRuntimeMillis != nil && $0.onKillLoop == .alert
        }
        for (index, rule) in config.rules.enumerated() where rule.mode == .enforce {
            if rule.onKillLoop == .observe, !hasLoopCeiling {
                out.append(
                    "rules[\(index)].on_kill_loop is observe with no ceiling: an owner who lets \(config.safety.killLoopAfter)"
                        + " cheap jobs of a name be killed can then run a real one of that name past \(rule.name)'s limit"
                        + " for the loop window. Add a ceiling, an enforce rule with a longer max_runtime and"
                        + " on_kill_loop alert")
            }
            if readsName(rule.match), !hasCeiling {
                out.append(
                    "rules[\(index)] (\(rule.name)) finds jobs by job_name, which each job's owner chooses: a job renamed"
                        + " out of it escapes every enforce rule. Add a ceiling, an enforce rule with max_runtime that"
                        + " does not read job_name (e.g. the same job types with a longer limit)")
            }
            if let exclude = rule.exclude, readsName(exclude) {
                out.append(
                    "rules[\(index)].exclude leaves jobs out by job_name: any owner can name a job to match it and"
                        + " escape \(rule.name). Exclude by user or queue instead")
            }
        }
        for (index, exemption) in config.exemptions.enumerated()
        where exemption.jobId == nil && !exemption.jobName.isEmpty {
            out.append(
                "exemptions[\(index)] exempts by job_name, which each job's owner chooses: any job named to match"
                    + (exemption.clusterId.map { " on \($0)" } ?? "") + " is never killed while it lasts."
                    + " Name the jobs by job_id instead")
        }
        return out
    }

    private static func readsName(_ matcher: JobMatcher) -> Bool {
        !matcher.jobName.isEmpty || matcher.jobNameRegex != nil
    }
}
