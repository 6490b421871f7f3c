#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The short human summary `check` prints: where MRS is, what is watched, each rule and its mode.
public enum ConfigSummary {
    public static func describe(_ config: WatchdogConfig) -> String {
        var lines: [String] = []
        lines.append(
            "MRS: \(config.mrs.endpoint) (region \(config.mrs.region), project \(config.mrs.projectId ?? "from credentials"))"
        )
        var watched: [String] = []
        if !config.watch.clusterIds.isEmpty {
            watched.append("clusters \(config.watch.clusterIds.joined(separator: ", "))")
        }
        if !config.watch.clusterTags.isEmpty { watched.append("clusters tagged \(tags(config.watch.clusterTags))") }
        var watchLine = "watching: " + watched.joined(separator: " plus ")
        if !config.watch.excludeClusterTags.isEmpty {
            watchLine += ", except tagged \(tags(config.watch.excludeClusterTags))"
        }
        lines.append(watchLine)
        lines.append(
            "polling every \(DurationText.format(millis: config.watch.pollIntervalMillis)), "
                + "cluster discovery every \(DurationText.format(millis: config.watch.discoveryIntervalMillis))")
        lines.append("rules (\(config.rules.count)):")
        for rule in config.rules {
            var limits: [String] = []
            if let runtime = rule.maxRuntimeMillis {
                limits.append("max_runtime \(DurationText.format(millis: runtime)) (\(rule.clock.rawValue) clock)")
            }
            if let queued = rule.maxQueuedMillis { limits.append("max_queued \(DurationText.format(millis: queued))") }
            if let warn = rule.warnBeforeMillis { limits.append("warn \(DurationText.format(millis: warn)) before") }
            if let cap = rule.maxActive { limits.append("max_active \(cap.count) per \(cap.per.rawValue)") }
            if let declared = rule.declaredLimit {
                let raise = declared.allowRaiseToMillis.map { "raised up to \(DurationText.format(millis: $0))" }
                limits.append(
                    "the job's \(declared.keys.joined(separator: "/")) lowers it\(raise.map { " or is \($0)" } ?? "")")
            }
            if let window = rule.enforceDuring {
                func clock(_ minutes: Int) -> String {
                    (minutes / 60 < 10 ? "0" : "") + "\(minutes / 60):" + (minutes % 60 < 10 ? "0" : "")
                        + "\(minutes % 60)"
                }
                limits.append(
                    "kills only \(clock(window.fromMinutes))–\(clock(window.toMinutes)) \(window.timeZone.identifier)"
                        + (window.days.count == 7 ? "" : " (\(window.days.count) days a week)"))
            }
            if let most = rule.maxExtensionMillis {
                limits.append("extensions up to \(DurationText.format(millis: most)) past its deadline")
            }
            if rule.requireNotice { limits.append("kills only warn_before after a warning was delivered") }
            let mode = config.safety.dryRun ? "\(rule.mode.rawValue) → observe (dry run)" : rule.mode.rawValue
            lines.append("  \(rule.name): \(mode); \(limits.joined(separator: ", "))")
        }
        if !config.exemptions.isEmpty { lines.append("exemptions: \(config.exemptions.count)") }
        let notifications = config.notifications
        if notifications.isEnabled {
            var channels = [notifications.webhook.map { _ in "webhook" }, notifications.smn.map { _ in "SMN" }]
                .compactMap { $0 }.joined(separator: " and ")
            if channels.isEmpty { channels = "no default channel" }
            let owners = notifications.owners
            if !owners.byUser.isEmpty {
                channels +=
                    "; \(owners.byUser.count) owner(s) by MRS user"
                    + (owners.clusterTag.map { " or cluster tag '\($0)'" } ?? "")
            }
            lines.append("notifications: \(channels)")
        }
        if !config.yarn.clusters.isEmpty {
            let count = config.yarn.clusters.count
            lines.append(
                "YARN audit: \(count) cluster\(count == 1 ? "" : "s"), read-only, "
                    + (config.yarn.auditInDaemon
                        ? "by the daemon every "
                            + DurationText.format(
                                millis: YarnSettings.daemonIntervalMillis(
                                    discoveryIntervalMillis: config.watch.discoveryIntervalMillis))
                        : "when yarn-audit runs"))
        }
        let safety = config.safety
        lines.append(
            "safety: \(safety.dryRun ? "DRY RUN, " : "")at most \(safety.maxKillsPerCycle) kills per cycle and "
                + "\(safety.maxKillsPerHour) per hour; breaker opens above \(safety.breakerThreshold) matches; "
                + "kill loop at \(safety.killLoopAfter) kills within \(DurationText.format(millis: safety.killLoopWithinMillis))"
        )
        if !config.rules.contains(where: { $0.mode == .enforce }) || safety.dryRun {
            lines.append("note: no rule enforces, so nothing will be killed")
        }
        return lines.joined(separator: "\n")
    }

    static func tags(_ tags: [String: String]) -> String {
        tags.keys.sorted().map { "\($0)=\(tags[$0]!)" }.joined(separator: ",")
    }
}
