#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads and validates the config file. Every problem is reported at once, each with file, JSON path and
/// line:column; a file with any problem is rejected whole, so a typo never silently disables or widens a rule.
public enum ConfigLoader {
    /// Reads `path` and validates it. Throws `ConfigReadError` if unreadable, `ConfigError` if invalid.
    /// - Throws: `ConfigReadError` when the file cannot be read (missing, permission, not UTF-8), `ConfigError` with
    ///   every problem when it is invalid.
    public static func load(path: String) throws -> WatchdogConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigReadError(file: path, reason: describeReadFailure(path: path, error))
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigReadError(file: path, reason: "not valid UTF-8")
        }
        return try parse(text, file: path).get()
    }

    private static func describeReadFailure(path: String, _ error: any Error) -> String {
        if !FileManager.default.fileExists(atPath: path) { return "no such file" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return "\(error)"
    }

    public static func parse(_ text: String, file: String) -> Result<WatchdogConfig, ConfigError> {
        let root: JSONNode
        do {
            root = try JSONParser.parse(text)
        } catch {
            return .failure(
                ConfigError(issues: [
                    ConfigIssue(
                        file: file, path: "", position: error.position, message: "invalid JSON: \(error.message)")
                ]))
        }
        let reader = ConfigReader(file: file)
        let config = readRoot(root, reader)
        if let config, reader.issues.isEmpty { return .success(config) }
        return .failure(
            ConfigError(
                issues: reader.issues.sorted {
                    ($0.position.line, $0.position.column) < ($1.position.line, $1.position.column)
                }))
    }

    static func readRoot(_ root: JSONNode, _ reader: ConfigReader) -> WatchdogConfig? {
        guard let top = ConfigReader.Object(reader, root, path: "") else { return nil }
        _ = top.string("$schema")
        let mrs = readMRS(top, reader)
        let watch = readWatch(top)
        var defaults = WatchdogConfig.Defaults()
        if let object = top.object("defaults") {
            defaults.mode = object.enumValue("mode", RuleMode.self) ?? defaults.mode
            defaults.clock = object.enumValue("clock", RuntimeClock.self) ?? defaults.clock
            object.finish()
        }
        // Before the rules: `require_notice` needs a warning that can be delivered.
        let notifications = readNotifications(top, region: mrs?.region, reader)
        let rules = readRules(top, defaults, notifications: notifications, reader)
        let exemptions = readExemptions(top, reader)
        var safety = WatchdogConfig.Safety()
        if let object = top.object("safety") {
            safety.dryRun = object.bool("dry_run") ?? safety.dryRun
            safety.maxKillsPerCycle = object.integer("max_kills_per_cycle", in: 0...10_000) ?? safety.maxKillsPerCycle
            safety.maxKillsPerHour = object.integer("max_kills_per_hour", in: 0...100_000) ?? safety.maxKillsPerHour
            // MRS throttles stop calls at 60 a minute per tenant: more can never be sent.
            safety.maxKillsPerMinute = object.integer("max_kills_per_minute", in: 1...60) ?? safety.maxKillsPerMinute
            safety.maxReadsPerMinute = object.integer("max_reads_per_minute", in: 1...1000) ?? safety.maxReadsPerMinute
            safety.breakerThreshold = object.integer("breaker_threshold", in: 1...1_000_000) ?? safety.breakerThreshold
            if let loop = object.object("kill_loop") {
                safety.killLoopAfter = loop.integer("after", in: 1...1000) ?? safety.killLoopAfter
                if let within = loop.duration("within") {
                    if within > WatchdogConfig.Safety.maxKillLoopWithinMillis {
                        reader.report(
                            loop.childPath("within"), loop.node["within"]!.position,
                            "must be at most 48h (kill records are kept that long)")
                    } else {
                        safety.killLoopWithinMillis = within
                    }
                }
                loop.finish()
            }
            object.finish()
        }
        var metricsListen: String?
        if let object = top.object("metrics") {
            metricsListen = object.string("listen")
            if let listen = metricsListen, HostPort(listen) == nil {
                reader.report(
                    "metrics.listen", object.node["listen"]!.position, "expected HOST:PORT, e.g. 127.0.0.1:9464")
            }
            object.finish()
        }
        var extensionsDirectory = ExtensionDirectory.defaultPath
        if let object = top.object("extensions") {
            if let directory = object.string("directory") {
                if directory.hasPrefix("/") {
                    extensionsDirectory = directory
                } else {
                    reader.report(
                        "extensions.directory", object.node["directory"]!.position,
                        "expected an absolute path, e.g. \(ExtensionDirectory.defaultPath)")
                }
            }
            object.finish()
        }
        let yarn = readYarn(top, reader)
        top.finish()
        guard let mrs else { return nil }
        var config = WatchdogConfig(
            mrs: mrs, watch: watch ?? WatchdogConfig.WatchSettings(), defaults: defaults, rules: rules,
            exemptions: exemptions, safety: safety, metricsListen: metricsListen, notifications: notifications)
        config.extensionsDirectory = extensionsDirectory
        config.yarn = yarn
        return config
    }

    static func readMRS(_ top: ConfigReader.Object, _ reader: ConfigReader) -> WatchdogConfig.MRSSettings? {
        guard let object = top.object("mrs") else {
            if top.node["mrs"] == nil {
                reader.report("mrs", top.node.position, "missing required section 'mrs' (region and project_id)")
            }
            return nil
        }
        defer { object.finish() }
        let region = object.string("region")
        let projectId = object.string("project_id")
        let caFile = object.string("ca_file")
        let requestTimeout = object.duration("request_timeout")
        var endpoint: MRSEndpoint?
        if let url = object.string("endpoint") {
            endpoint = MRSEndpoint(url: url)
            if endpoint == nil {
                reader.report(
                    "mrs.endpoint", object.node["endpoint"]!.position,
                    "expected an http(s) URL with a host and no path, e.g. https://mrs.cn-north-4.myhuaweicloud.com")
            }
        }
        if region == nil, object.node["region"] == nil {
            reader.report("mrs.region", object.node.position, "missing required key 'region' (e.g. \"cn-north-4\")")
        }
        guard let region else { return nil }
        var settings = WatchdogConfig.MRSSettings(
            region: region, projectId: projectId, endpoint: endpoint ?? MRSEndpoint(region: region), caFile: caFile)
        if let requestTimeout { settings.requestTimeoutMillis = requestTimeout }
        return settings
    }

    static func readWatch(_ top: ConfigReader.Object) -> WatchdogConfig.WatchSettings? {
        guard let object = top.object("watch") else { return nil }
        defer { object.finish() }
        var watch = WatchdogConfig.WatchSettings()
        watch.clusterIds = object.stringList("cluster_ids", allowEmpty: true) ?? []
        watch.clusterTags = object.tagSelector("cluster_tags") ?? [:]
        watch.excludeClusterTags = object.tagSelector("exclude_cluster_tags") ?? [:]
        watch.pollIntervalMillis = object.duration("poll_interval") ?? watch.pollIntervalMillis
        watch.discoveryIntervalMillis = object.duration("discovery_interval") ?? watch.discoveryIntervalMillis
        watch.concurrency = object.integer("concurrency", in: 1...64) ?? watch.concurrency
        if watch.pollIntervalMillis < 1000, object.node["poll_interval"] != nil {
            object.reader.report("watch.poll_interval", object.node["poll_interval"]!.position, "must be at least 1s")
        }
        if watch.clusterIds.isEmpty, watch.clusterTags.isEmpty {
            object.reader.report("watch", object.node.position, "watches no cluster: set cluster_ids or cluster_tags")
        }
        return watch
    }

    static func readMatcher(_ object: ConfigReader.Object) -> JobMatcher {
        defer { object.finish() }
        var matcher = JobMatcher()
        matcher.clusterIds = object.stringList("cluster_ids") ?? []
        matcher.clusterTags = object.tagSelector("cluster_tags") ?? [:]
        matcher.jobType = object.choiceList("job_type", among: JobExecution.jobTypes, what: "an MRS job type") ?? []
        matcher.jobName = object.globList("job_name", alphabet: JobExecution.jobNameAlphabet) ?? []
        matcher.user = object.globList("user") ?? []
        matcher.queue = object.globList("queue") ?? []
        if let pattern = object.string("job_name_regex") {
            do {
                matcher.jobNameRegex = try AnchoredRegex(pattern)
            } catch {
                object.reader.report(
                    object.childPath("job_name_regex"), object.node["job_name_regex"]!.position,
                    "invalid regular expression: \(error)")
            }
        }
        return matcher
    }

    static func readRules(
        _ top: ConfigReader.Object, _ defaults: WatchdogConfig.Defaults, notifications: NotificationSettings,
        _ reader: ConfigReader
    ) -> [Rule] {
        guard let node = top.value("rules") else { return [] }
        guard case .array(let elements) = node.value else {
            reader.report("rules", node.position, "expected an array of rules, found \(node.kindName)")
            return []
        }
        var rules: [Rule] = []
        var names: [String: Int] = [:]
        for (index, element) in elements.enumerated() {
            let path = "rules[\(index)]"
            guard let object = ConfigReader.Object(reader, element, path: path) else { continue }
            let name = object.string("name")
            object.require("name")
            if let name {
                if let first = names[name] {
                    reader.report(
                        "\(path).name", element["name"]!.position,
                        "duplicate rule name '\(name)' (also rules[\(first)])")
                } else {
                    names[name] = index
                }
            }
            var rule = Rule(name: name ?? "rules[\(index)]", clock: defaults.clock, mode: defaults.mode)
            rule.description = object.string("description", nonEmpty: false, prose: true)
            if let match = object.object("match") { rule.match = readMatcher(match) }
            if let exclude = object.object("exclude") { rule.exclude = readMatcher(exclude) }
            rule.maxRuntimeMillis = object.duration("max_runtime")
            rule.maxQueuedMillis = object.duration("max_queued")
            rule.warnBeforeMillis = object.duration("warn_before")
            rule.clock = object.enumValue("clock", RuntimeClock.self) ?? rule.clock
            rule.mode = object.enumValue("mode", RuleMode.self) ?? rule.mode
            rule.declaredLimit = readDeclaredLimit(object, maxRuntime: rule.maxRuntimeMillis, reader)
            rule.enforceDuring = readEnforcementWindow(object, mode: rule.mode, reader)
            rule.maxActive = readConcurrencyCap(object, reader)
            rule.onKillLoop = object.enumValue("on_kill_loop", KillLoopResponse.self) ?? rule.onKillLoop
            rule.maxExtensionMillis = object.duration("max_extension")
            if object.bool("require_notice") == true {
                rule.requireNotice = true
                let position = element["require_notice"]!.position
                let problem =
                    rule.mode != .enforce
                    ? "require_notice applies to enforce rules; this rule's mode is \(rule.mode.rawValue)"
                    : rule.warnBeforeMillis == nil
                        ? "require_notice needs warn_before: how long before the kill the warning must have arrived"
                        : notifications.defaults.isEmpty
                            ? "require_notice needs a default channel (notifications.webhook or .smn): a job whose owner notifications.owners does not name would never be warned, so never killed"
                            : !notifications.events.contains(.warn)
                                ? "require_notice needs the warn event in notifications.events" : nil
                if let problem { reader.report("\(path).require_notice", position, problem) }
            }
            if let hold = object.duration("notice_max_hold") {
                rule.noticeMaxHoldMillis = hold
                if !rule.requireNotice {
                    reader.report(
                        "\(path).notice_max_hold", element["notice_max_hold"]!.position,
                        "notice_max_hold needs require_notice, the hold it ends")
                } else if hold < 60_000 {
                    reader.report(
                        "\(path).notice_max_hold", element["notice_max_hold"]!.position,
                        "notice_max_hold must be at least 1m: a warning needs time to arrive")
                }
            }
            if rule.maxExtensionMillis != nil, rule.maxRuntimeMillis == nil, rule.maxQueuedMillis == nil {
                reader.report(
                    "\(path).max_extension", element["max_extension"]!.position,
                    "max_extension needs max_runtime or max_queued, the deadline it moves")
            }
            if element["max_runtime"] == nil, element["max_queued"] == nil, element["max_active"] == nil {
                reader.report(path, element.position, "rule sets no limit: add max_runtime, max_queued or max_active")
            }
            if let warn = rule.warnBeforeMillis {
                let limits = [rule.maxRuntimeMillis, rule.maxQueuedMillis].compactMap { $0 }
                if let smallest = limits.min(), warn >= smallest {
                    reader.report(
                        "\(path).warn_before", element["warn_before"]!.position,
                        "warn_before (\(DurationText.format(millis: warn))) must be shorter than the limit (\(DurationText.format(millis: smallest)))"
                    )
                }
            }
            object.finish()
            rules.append(rule)
        }
        return rules
    }

    /// `"declared_limit": {"keys": [...], "allow_raise_to": "8h", "min": "30m"}`: needs `max_runtime`, which it
    /// adjusts.
    static func readDeclaredLimit(
        _ rule: ConfigReader.Object, maxRuntime: Int64?, _ reader: ConfigReader
    ) -> DeclaredLimitPolicy? {
        guard let object = rule.object("declared_limit") else { return nil }
        let keys = object.stringList("keys")
        let ceiling = object.duration("allow_raise_to")
        let minimum = object.duration("min")
        object.finish()
        if let minimum, minimum < 60_000 {
            reader.report(
                object.childPath("min"), object.node["min"]!.position,
                "min (\(DurationText.format(millis: minimum))) must be at least 1m: a shorter declared limit is a unit slip"
            )
        }
        object.require("keys", " (the job settings to read)")
        guard let maxRuntime else {
            reader.report(object.path, object.node.position, "declared_limit needs max_runtime, the limit it adjusts")
            return nil
        }
        if let ceiling, ceiling < maxRuntime {
            reader.report(
                object.childPath("allow_raise_to"), object.node["allow_raise_to"]!.position,
                "allow_raise_to (\(DurationText.format(millis: ceiling))) is below max_runtime (\(DurationText.format(millis: maxRuntime)))"
            )
        }
        if let minimum, minimum > maxRuntime {
            reader.report(
                object.childPath("min"), object.node["min"]!.position,
                "min (\(DurationText.format(millis: minimum))) is above max_runtime (\(DurationText.format(millis: maxRuntime))): no declaration could lower it"
            )
        } else if minimum == nil, ceiling == nil, DeclaredLimitPolicy.defaultMinimumMillis >= maxRuntime {
            // Nothing could lower it (the default min is not below it) nor raise it: a rule that does nothing.
            reader.report(
                object.path, object.node.position,
                "declared_limit has no effect: the default min (\(DurationText.format(millis: DeclaredLimitPolicy.defaultMinimumMillis))) is not below max_runtime (\(DurationText.format(millis: maxRuntime))) and there is no allow_raise_to; set a lower min"
            )
        }
        return keys.map {
            DeclaredLimitPolicy(
                keys: $0, allowRaiseToMillis: ceiling,
                minimumMillis: minimum ?? DeclaredLimitPolicy.defaultMinimumMillis)
        }
    }

    /// `"max_active": {"count": 5, "per": "user", "clock": "submitted"}`.
    static func readConcurrencyCap(_ rule: ConfigReader.Object, _ reader: ConfigReader) -> ConcurrencyCap? {
        guard let object = rule.object("max_active") else { return nil }
        let count = object.integer("count", in: 1...100_000)
        let per = object.enumValue("per", ConcurrencyCap.Group.self)
        let clock = object.enumValue("clock", RuntimeClock.self) ?? .submitted
        object.finish()
        object.require("count")
        object.require("per")
        guard let count, let per else { return nil }
        return ConcurrencyCap(count: count, per: per, clock: clock)
    }

    /// `"enforce_during": {"timezone": "Asia/Shanghai", "days": ["mon", …], "from": "20:00", "to": "06:00",
    /// "except_dates": ["2026-10-01"]}`, on enforce rules only.
    static func readEnforcementWindow(
        _ rule: ConfigReader.Object, mode: RuleMode, _ reader: ConfigReader
    ) -> EnforcementWindow? {
        guard let object = rule.object("enforce_during") else { return nil }
        var zone: TimeZone?
        if let name = object.string("timezone") {
            zone = EnforcementWindow.zone(named: name)
            if zone == nil {
                reader.report(
                    object.childPath("timezone"), object.node["timezone"]!.position,
                    "'\(name)' is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)")
            }
        } else {
            object.require("timezone", " (e.g. Asia/Shanghai)")
        }
        let days = object.enumList("days", EnforcementWindow.Weekday.self)
        func minutes(_ key: String) -> Int? {
            guard let text = object.string(key) else {
                object.require(key, " (HH:MM, local time)")
                return nil
            }
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]),
                let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
            else {
                reader.report(
                    object.childPath(key), object.node[key]!.position,
                    "'\(text)' is not a time of day (HH:MM, 00:00 to 23:59)")
                return nil
            }
            return hour * 60 + minute
        }
        let from = minutes("from")
        let to = minutes("to")
        let except = object.dateList("except_dates") ?? []
        object.finish()
        if mode != .enforce {
            reader.report(
                object.path, object.node.position,
                "enforce_during applies to enforce rules; this rule's mode is \(mode.rawValue)")
        }
        guard let zone, let from, let to else { return nil }
        return EnforcementWindow(
            timeZone: zone, days: Set(days ?? EnforcementWindow.Weekday.allCases), fromMinutes: from, toMinutes: to,
            exceptDates: Set(except))
    }

    static func readExemptions(_ top: ConfigReader.Object, _ reader: ConfigReader) -> [Exemption] {
        guard let node = top.value("exemptions") else { return [] }
        guard case .array(let elements) = node.value else {
            reader.report("exemptions", node.position, "expected an array of exemptions, found \(node.kindName)")
            return []
        }
        var exemptions: [Exemption] = []
        for (index, element) in elements.enumerated() {
            let path = "exemptions[\(index)]"
            guard let object = ConfigReader.Object(reader, element, path: path) else { continue }
            let jobId = object.string("job_id")
            let clusterId = object.string("cluster_id")
            let jobName = object.globList("job_name", alphabet: JobExecution.jobNameAlphabet) ?? []
            let reason = object.string("reason", prose: true)
            let untilText = object.string("until")
            object.finish()
            if jobId == nil, clusterId == nil {
                reader.report(path, element.position, "an exemption needs job_id or cluster_id")
            }
            if !jobName.isEmpty, clusterId == nil {
                reader.report("\(path).job_name", element["job_name"]!.position, "job_name needs cluster_id beside it")
            }
            object.require("reason", " (say why, for the next operator)")
            object.require("until", " (an RFC 3339 time, e.g. 2026-12-01T00:00:00Z)")
            var until: Int64?
            if let untilText {
                until = RFC3339.parse(untilText)
                if until == nil {
                    reader.report(
                        "\(path).until", element["until"]!.position,
                        "'\(untilText)' is not an RFC 3339 time (e.g. 2026-12-01T00:00:00Z)")
                }
            }
            if let until, let reason {
                exemptions.append(
                    Exemption(jobId: jobId, clusterId: clusterId, jobName: jobName, untilMillis: until, reason: reason))
            }
        }
        return exemptions
    }
}
