/// Ids shortened as git shortens hashes: the shortest prefix of at least `minimum` characters that no other
/// id of the set shares. MRS job and cluster ids are 36-character UUIDs; eight characters tell them apart.
package struct ShortIds: Sendable {
    private var short: [String: String] = [:]

    package init<Ids: Sequence>(_ ids: Ids, minimum: Int = 8) where Ids.Element == String {
        // In sorted order an id shares its longest prefix with a neighbour.
        let sorted = Set(ids).sorted()
        for (index, id) in sorted.enumerated() {
            let before = index > 0 ? Self.commonPrefixLength(id, sorted[index - 1]) : 0
            let after = index + 1 < sorted.count ? Self.commonPrefixLength(id, sorted[index + 1]) : 0
            short[id] = String(id.prefix(max(minimum, max(before, after) + 1)))
        }
    }

    /// The short form of `id`; `id` itself when it was not in the set.
    package subscript(_ id: String) -> String { short[id] ?? id }

    private static func commonPrefixLength(_ a: String, _ b: String) -> Int {
        zip(a, b).prefix { $0 == $1 }.count
    }
}
