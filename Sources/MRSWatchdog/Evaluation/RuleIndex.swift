/// Which rules can name a job, found without testing every rule: rules are indexed by what their `match`
/// tests first — cluster ids, job types and the literal start of their job-name patterns. A rule the index
/// leaves out is one whose `match` answers `.no` for the job; the rest are still tested in full, so the
/// three-valued answer (a condition on a missing field is unknown) is unchanged.
struct RuleIndex: Sendable {
    /// One bit per rule, in rule order.
    struct RuleSet: Sendable {
        var words: [UInt64]

        init(count: Int) { words = Array(repeating: 0, count: (count + 63) / 64) }

        mutating func insert(_ rule: Int) { words[rule / 64] |= 1 << UInt64(rule % 64) }
    }

    private let all: RuleSet
    private let empty: RuleSet
    private var anyCluster: RuleSet
    private var byCluster: [String: RuleSet] = [:]
    private var anyType: RuleSet
    /// Job type (ASCII letters, any case) → rules that name it; a handful, compared without allocating.
    private var byType: [(type: String, rules: RuleSet)] = []
    private var anyName: RuleSet
    /// The literal starts of job-name patterns; each start's value is its place in `byNameStart`.
    private let nameStarts: NamePrefixTrie
    /// Per literal start, the rules with a job-name pattern that begins with it.
    private var byNameStart: [RuleSet] = []

    init(_ rules: [Rule]) {
        var all = RuleSet(count: rules.count)
        var anyCluster = all
        var anyType = all
        var anyName = all
        // Keyed by bytes: String's == takes canonically equivalent spellings (é, e + U+0301) as one, where a
        // glob compares scalars, so both must reach the trie.
        var startPlaces: [[UInt8]: Int] = [:]
        for (index, rule) in rules.enumerated() {
            all.insert(index)
            let match = rule.match
            if match.clusterIds.isEmpty {
                anyCluster.insert(index)
            } else {
                for id in match.clusterIds { byCluster[id, default: all.emptied].insert(index) }
            }
            if match.jobType.isEmpty || match.jobType.contains(where: { !$0.utf8.allSatisfy { $0 < 0x80 } }) {
                anyType.insert(index)
            } else {
                for type in match.jobType {
                    if let known = byType.firstIndex(where: { $0.type.caseInsensitiveEquals(type) }) {
                        byType[known].rules.insert(index)
                    } else {
                        var rules = all.emptied
                        rules.insert(index)
                        byType.append((type, rules))
                    }
                }
            }
            let prefixes = match.jobName.map(Self.literalStart)
            if prefixes.isEmpty || prefixes.contains("") {
                anyName.insert(index)
            } else {
                for prefix in prefixes.map({ Array($0.utf8) }) {
                    let place = startPlaces[prefix] ?? byNameStart.count
                    if place == byNameStart.count {
                        startPlaces[prefix] = place
                        byNameStart.append(all.emptied)
                    }
                    byNameStart[place].insert(index)
                }
            }
        }
        self.all = all
        self.empty = all.emptied
        self.anyCluster = anyCluster
        self.anyType = anyType
        self.anyName = anyName
        nameStarts = NamePrefixTrie(startPlaces.map { ($0.key, $0.value) })
    }

    /// The indices of the rules whose `match` may not be `.no` for the job, ascending; no allocation for up
    /// to 64 rules.
    func candidates(clusterId: String, job: JobExecution) -> Candidates {
        let cluster = byCluster[clusterId]
        // A missing or empty field is unknown to the matcher: every rule testing it stays a candidate.
        let type = job.jobType.flatMap { $0.isEmpty || !$0.utf8.allSatisfy { $0 < 0x80 } ? nil : $0 }
        let types: RuleSet? = type.map { type in byType.first { $0.type.caseInsensitiveEquals(type) }?.rules ?? empty }
        let name = job.jobName ?? ""
        func bits(_ word: Int) -> UInt64 {
            var bits = anyCluster.words[word] | (cluster?.words[word] ?? 0)
            bits &= types.map { anyType.words[word] | $0.words[word] } ?? all.words[word]
            if !name.isEmpty {
                var names = anyName.words[word]
                nameStarts.forEachStart(of: name) { names |= byNameStart[$0].words[word] }
                bits &= names
            }
            return bits
        }
        return Candidates(first: all.words.isEmpty ? 0 : bits(0), rest: all.words.indices.dropFirst().map(bits))
    }

    /// Rule indices from bit sets, lowest first.
    struct Candidates: Sequence, IteratorProtocol {
        private var word: UInt64
        private var base = 0
        private var rest: ArraySlice<UInt64>

        init(first: UInt64, rest: [UInt64]) {
            word = first
            self.rest = rest[...]
        }

        mutating func next() -> Int? {
            while word == 0 {
                guard let following = rest.popFirst() else { return nil }
                word = following
                base += 64
            }
            let bit = word.trailingZeroBitCount
            word &= word - 1
            return base + bit
        }
    }

    /// The pattern's leading literal characters, as a glob matches them (case-sensitive, whole scalars).
    private static func literalStart(_ glob: Glob) -> String {
        var start = String.UnicodeScalarView()
        for token in glob.tokens {
            guard case .literal(let scalar) = token else { break }
            start.append(scalar)
        }
        return String(start)
    }
}

extension RuleIndex.RuleSet {
    /// A set of the same size with no rule in it.
    var emptied: Self {
        var copy = self
        copy.words = Array(repeating: 0, count: words.count)
        return copy
    }
}
