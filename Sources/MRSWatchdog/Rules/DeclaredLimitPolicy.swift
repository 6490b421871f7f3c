/// A rule's opt-in to a runtime limit the job declares itself (`"declared_limit"` in the config): which keys
/// of the job's `properties` and `arguments` are read, and how far a declared value may raise the rule's own
/// `max_runtime`. A declared value may always lower it.
public struct DeclaredLimitPolicy: Sendable, Hashable {
    /// Read in this order; the first key the job declares wins (`watchdog.max_runtime`,
    /// `spark.application.timeout.alarm`, …).
    public var keys: [String]
    /// The highest limit a declaration may set, ms; nil: a declaration never raises the rule's limit.
    public var allowRaiseToMillis: Int64?
    /// The shortest limit a declaration may set, ms (`"min"`, default 30 minutes): a shorter value is taken
    /// for a unit slip (a day written in seconds under a millisecond key reads as 1m26s), never as a limit.
    public var minimumMillis: Int64

    public static let defaultMinimumMillis: Int64 = 30 * 60_000

    public init(
        keys: [String], allowRaiseToMillis: Int64? = nil,
        minimumMillis: Int64 = DeclaredLimitPolicy.defaultMinimumMillis
    ) {
        self.keys = keys
        self.allowRaiseToMillis = allowRaiseToMillis
        self.minimumMillis = minimumMillis
    }

    /// Keys whose values are milliseconds: Huawei's ALM-18020 alarm keys (mrs-api.md §11.7). Any other key
    /// takes a duration such as `4h`.
    public static func isMilliseconds(_ key: String) -> Bool { key.hasSuffix(".timeout.alarm") }
}
