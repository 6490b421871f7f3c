/// A shell-style pattern: `*` any run of characters, `?` exactly one; everything else literal; whole string.
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let scalars: [Unicode.Scalar]
    /// Without `?`, matching UTF-8 bytes gives the same answer as matching characters (a literal's lead
    /// byte never matches a continuation byte), and needs no copy of the subject.
    private let bytes: [UInt8]?

    public init(_ pattern: String) {
        self.pattern = pattern
        self.scalars = Array(pattern.unicodeScalars)
        self.bytes = pattern.contains("?") ? nil : Array(pattern.utf8)
    }

    public var description: String { pattern }

    public func matches(_ text: String) -> Bool {
        if let bytes {
            var text = text
            return text.withUTF8 { Self.match(bytes, $0, wildcard: nil, any: UInt8(ascii: "*")) }
        }
        return Self.match(scalars, Array(text.unicodeScalars), wildcard: "?", any: "*")
    }

    /// Iterative matcher with single-star backtracking: linear in practice, no recursion.
    private static func match<Pattern: RandomAccessCollection, Subject: RandomAccessCollection>(
        _ pattern: Pattern, _ subject: Subject, wildcard: Pattern.Element?, any: Pattern.Element
    ) -> Bool where Pattern.Element: Equatable, Pattern.Element == Subject.Element, Pattern.Index == Int, Subject.Index == Int {
        var p = pattern.startIndex
        var s = subject.startIndex
        var starP = -1
        var starS = 0
        while s < subject.endIndex {
            if p < pattern.endIndex, pattern[p] == wildcard || (pattern[p] != any && pattern[p] == subject[s]) {
                p += 1
                s += 1
            } else if p < pattern.endIndex, pattern[p] == any {
                starP = p
                starS = s
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starS += 1
                s = starS
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == any { p += 1 }
        return p == pattern.endIndex
    }
}
