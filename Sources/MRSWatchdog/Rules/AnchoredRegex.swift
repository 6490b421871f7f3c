/// `job_name_regex`: a regular expression that must match the whole job name.
public struct AnchoredRegex: @unchecked Sendable, Hashable, CustomStringConvertible {
    // @unchecked: `Regex` is immutable once compiled and only read through `wholeMatch`.
    public let pattern: String
    private let regex: Regex<AnyRegexOutput>

    /// Throws if the pattern does not compile.
    /// - Throws: the regex compiler's error when the pattern does not compile.
    public init(_ pattern: String) throws {
        self.pattern = pattern
        self.regex = try Regex(pattern)
    }

    public func matches(_ text: String) -> Bool {
        (try? regex.wholeMatch(in: text)) != nil
    }

    public var description: String { pattern }
    public static func == (lhs: AnchoredRegex, rhs: AnchoredRegex) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}
