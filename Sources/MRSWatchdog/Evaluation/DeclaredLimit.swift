/// What a job declares about its own runtime limit, and the limit that makes of a rule's `max_runtime` under
/// the rule's `DeclaredLimitPolicy`. Read from the job's `properties` (`{k=v, k2=v2}`, or JSON text) and
/// `arguments` (`--conf k=v`, `--conf=k=v`, `-Dk=v`); values are durations (`4h`), or milliseconds for
/// Huawei's alarm keys. Declarations are compared as numbers: the same limit written twice (`30m`, `1800s`)
/// is one. Fails safe: a value that cannot be read, two different values, or a value under the policy's
/// `minimumMillis` (a unit slip, not a limit) leaves the rule's own limit in force, and says so.
public struct DeclaredLimit: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        /// Below the rule's limit: the declared value applies.
        case lowered
        /// Above the rule's limit and within `allow_raise_to`: the declared value applies.
        case raised(ceilingMillis: Int64)
        /// Above `allow_raise_to`: the ceiling applies.
        case capped(ceilingMillis: Int64)
        /// Above the rule's limit, and the rule never raises (no `allow_raise_to`).
        case notRaised
        /// Unreadable: the rule's limit applies.
        case malformed(String)
    }

    /// The key the value was read under.
    public var key: String
    public var outcome: Outcome
    /// The rule's `max_runtime`, and the limit that applies, ms.
    public var ruleMillis: Int64
    public var effectiveMillis: Int64
    /// The declared value, ms (nil when unreadable).
    public var declaredMillis: Int64?

    /// The declaration of `job` under `policy` and its effect on `ruleMillis`; nil when the job declares none.
    public static func of(_ job: JobExecution, policy: DeclaredLimitPolicy, ruleMillis: Int64) -> DeclaredLimit? {
        let found = DeclaredSettings(arguments: job.arguments, properties: job.properties)
        guard let key = policy.keys.first(where: { found.values[$0] != nil }), let values = found.values[key] else {
            return nil
        }
        var limit = DeclaredLimit(key: key, outcome: .lowered, ruleMillis: ruleMillis, effectiveMillis: ruleMillis)
        var readings: Set<Int64> = []
        for value in values {
            switch parse(value, key: key, minimumMillis: policy.minimumMillis) {
            case .invalid(let why):
                limit.outcome = .malformed(why)
                return limit
            case .millis(let millis):
                readings.insert(millis)
            }
        }
        guard readings.count == 1, let declared = readings.first else {
            let texts = readings.sorted().map { DurationText.format(millis: $0) }
            limit.outcome = .malformed(
                "declared \(values.count) times with different values: \(texts.joined(separator: ", "))")
            return limit
        }
        limit.declaredMillis = declared
        if declared <= ruleMillis {
            limit.effectiveMillis = declared
        } else if let ceiling = policy.allowRaiseToMillis {
            limit.effectiveMillis = min(declared, ceiling)
            limit.outcome = declared <= ceiling ? .raised(ceilingMillis: ceiling) : .capped(ceilingMillis: ceiling)
        } else {
            limit.outcome = .notRaised
        }
        return limit
    }

    enum Parsed: Equatable {
        case millis(Int64)
        case invalid(String)
    }

    /// One declared value in ms; under `minimumMillis` it is invalid, with both readings of a millisecond key
    /// ("604800 ms is 10m4s; as seconds it would be 7d").
    static func parse(_ text: String, key: String, minimumMillis: Int64) -> Parsed {
        let value = text.trimming(.quotesAndSpaces)
        // What a reason quotes of it: the job's owner chose it, and its size.
        let shown = value.elidingMiddle(toBytes: 64)
        let millis: Int64
        let inMilliseconds = DeclaredLimitPolicy.isMilliseconds(key)
        if inMilliseconds {
            guard !value.isEmpty, value.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let parsed = Int64(value),
                parsed <= DurationText.maximumMillis
            else { return .invalid("'\(shown)' is not a number of milliseconds") }
            millis = parsed
        } else {
            do {
                millis = try DurationText.parseMillis(value)
            } catch {
                return .invalid("\(error)")
            }
        }
        guard millis >= minimumMillis else {
            let minimum = DurationText.format(millis: minimumMillis)
            guard inMilliseconds else {
                return .invalid("'\(shown)' is under declared_limit.min \(minimum), which is taken for a mistake")
            }
            let asSeconds =
                millis <= DurationText.maximumMillis / 1000
                ? "; as seconds it would be \(DurationText.format(millis: millis * 1000))" : ""
            return .invalid(
                "\(shown) ms is \(DurationText.format(millis: millis))\(asSeconds); under declared_limit.min \(minimum),"
                    + " it is taken for a unit slip")
        }
        return .millis(millis)
    }

    /// `limit 1h declared by the job (watchdog.max_runtime), rule ceiling 2h`, and the like.
    public var text: String {
        func format(_ millis: Int64) -> String { DurationText.format(millis: millis) }
        let declared = declaredMillis.map(format) ?? "?"
        switch outcome {
        case .lowered:
            return "limit \(declared) declared by the job (\(key)), rule ceiling \(format(ruleMillis))"
        case .raised(let ceiling):
            return "limit \(declared) declared by the job (\(key)), above the rule's \(format(ruleMillis)),"
                + " allowed up to \(format(ceiling))"
        case .capped(let ceiling):
            return "the job declares \(declared) (\(key)); capped at allow_raise_to \(format(ceiling))"
        case .notRaised:
            return "the job declares \(declared) (\(key)); the rule's \(format(ruleMillis)) applies (it sets no"
                + " allow_raise_to)"
        case .malformed(let why):
            return "the job's \(key) cannot be used (\(why)); the rule's \(format(ruleMillis)) applies"
        }
    }

    public var isMalformed: Bool {
        if case .malformed = outcome { return true }
        return false
    }
}
