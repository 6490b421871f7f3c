/// What one read of the extensions directory found: every drop-in by file name, valid or not.
public struct ExtensionScan: Sendable, Hashable {
    public enum Entry: Sendable, Hashable {
        case valid(JobExtension)
        /// The file, its owner and what is wrong with it.
        case malformed(file: String, owner: String, problem: String)
    }

    /// By file name.
    public var entries: [Entry] = []
    /// Why the directory could not be listed; nil when it was, or when it does not exist (no extensions).
    public var problem: String?
    /// Drop-ins not read, by owner: those beyond their first `ExtensionDirectory.maxEntriesPerOwner` by name.
    public var notRead: [String: Int] = [:]

    public init(entries: [Entry] = [], problem: String? = nil) {
        self.entries = entries
        self.problem = problem
    }

    /// The valid extensions that have not run out at `now` (epoch ms): what the evaluator applies.
    public func active(now: Int64) -> ExtensionSet {
        ExtensionSet(valid.filter { $0.untilMillis > now })
    }

    public var valid: [JobExtension] {
        entries.compactMap { if case .valid(let grant) = $0 { grant } else { nil } }
    }

    public var malformed: [(file: String, problem: String)] {
        entries.compactMap { if case .malformed(let file, _, let problem) = $0 { (file, problem) } else { nil } }
    }
}
