/// A shell-style pattern over the whole string, as fnmatch(3) reads it: `*` any run of characters, `?`
/// exactly one, `[abc]` / `[a-z]` / `[!x]` (or `[^x]`) one character of (or not of) a set, `\x` a literal
/// `x`; everything else literal. Brace alternatives (`{a,b}`) are refused: a rule lists its patterns.
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    /// Why a pattern was refused; `description` is the message `check` prints.
    public enum SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        case unclosedClass
        /// `[[:digit:]]`, `[[=a=]]`, `[[.-.]]`: fnmatch's POSIX forms, not supported here.
        case posixClass
        case braces
        case trailingBackslash
        /// `[z-a]`: fnmatch reads it as matching nothing, which is never what was meant.
        case reversedRange(String)

        public var description: String {
            switch self {
            case .unclosedClass: return "'[' opens a character class that is never closed with ']'"
            case .posixClass:
                return "POSIX classes such as '[[:digit:]]' are not supported; write the set, e.g. '[0-9]'"
            case .braces: return "brace alternatives '{a,b}' are not supported; use a list: [\"a\", \"b\"]"
            case .trailingBackslash: return "a pattern cannot end with '\\'"
            case .reversedRange(let range): return "the range '\(range)' is reversed and would match nothing"
            }
        }
    }

    enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case anyOne
        case anyRun
        case set(ranges: [ClosedRange<UInt32>], negated: Bool)

        func matches(_ scalar: Unicode.Scalar) -> Bool {
            switch self {
            case .literal(let literal): return literal == scalar
            case .anyOne: return true
            case .anyRun: return false
            case .set(let ranges, let negated): return ranges.contains { $0.contains(scalar.value) } != negated
            }
        }
    }

    public let pattern: String
    let tokens: [Token]
    /// When the pattern has only literals and `*`, matching UTF-8 bytes gives the same answer as matching
    /// characters (a literal's lead byte never matches a continuation byte) and needs no copy of the subject.
    private let bytes: [UInt8]?

    /// - Throws: `Glob.SyntaxError` for an unclosed `[...]`, a POSIX class, a reversed range, braces, or a
    ///   trailing backslash.
    public init(_ pattern: String) throws(SyntaxError) {
        self.pattern = pattern
        self.tokens = try Self.tokenize(pattern)
        let simple =
            !pattern.contains("\\")
            && tokens.allSatisfy { token in
                if case .literal = token { return true }
                return token == .anyRun
            }
        self.bytes = simple ? Array(pattern.utf8) : nil
    }

    public var description: String { pattern }

    public func matches(_ text: String) -> Bool {
        if let bytes {
            let star = UInt8(ascii: "*")
            var text = text
            return text.withUTF8 { subject in
                Self.match(
                    patternCount: bytes.count, subjectCount: subject.count, isRun: { bytes[$0] == star },
                    accepts: { bytes[$0] == subject[$1] })
            }
        }
        let subject = Array(text.unicodeScalars)
        return Self.match(
            patternCount: tokens.count, subjectCount: subject.count, isRun: { tokens[$0] == .anyRun },
            accepts: { tokens[$0].matches(subject[$1]) })
    }

    /// The first part of the pattern that none of the `allowed` characters can match (a literal, or a set
    /// that admits none of them), quoted for a message; nil when some string of them can match.
    public func firstImpossiblePart(allowed: [Unicode.Scalar]) -> String? {
        for token in tokens {
            switch token {
            case .literal(let scalar) where !allowed.contains(scalar):
                return "'\(scalar)'"
            case .set where !allowed.contains(where: token.matches):
                return "the character class"
            default:
                continue
            }
        }
        return nil
    }

    private static func tokenize(_ pattern: String) throws(SyntaxError) -> [Token] {
        let scalars = Array(pattern.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "*":
                if tokens.last != .anyRun { tokens.append(.anyRun) }
            case "?":
                tokens.append(.anyOne)
            case "{", "}":
                throw .braces
            case "\\":
                guard index < scalars.count else { throw .trailingBackslash }
                tokens.append(.literal(scalars[index]))
                index += 1
            case "[":
                tokens.append(try parseSet(scalars, &index))
            default:
                tokens.append(.literal(scalar))
            }
        }
        return tokens
    }

    /// Reads a `[...]` set after its `[`: `!` or `^` first negates, a `]` first is literal, `a-z` is a range,
    /// a `-` first or last is literal.
    private static func parseSet(_ scalars: [Unicode.Scalar], _ index: inout Int) throws(SyntaxError) -> Token {
        var negated = false
        if index < scalars.count, scalars[index] == "!" || scalars[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        /// The next member character, `\x` read as `x`.
        func member() -> Unicode.Scalar {
            var scalar = scalars[index]
            index += 1
            if scalar == "\\", index < scalars.count {
                scalar = scalars[index]
                index += 1
            }
            return scalar
        }
        while index < scalars.count {
            if scalars[index] == "]", !first {
                index += 1
                return .set(ranges: ranges, negated: negated)
            }
            if scalars[index] == "[", index + 1 < scalars.count, [":", "=", "."].contains(scalars[index + 1]) {
                throw .posixClass
            }
            first = false
            let low = member()
            if index + 1 < scalars.count, scalars[index] == "-", scalars[index + 1] != "]" {
                index += 1
                let high = member()
                guard low.value <= high.value else { throw .reversedRange("\(low)-\(high)") }
                ranges.append(low.value...high.value)
            } else {
                ranges.append(low.value...low.value)
            }
        }
        throw .unclosedClass
    }

    /// Iterative matcher with single-star backtracking: linear in practice, no recursion. `isRun(p)` says
    /// whether pattern item `p` is `*`; `accepts(p, s)` whether item `p` takes subject item `s`.
    @inline(__always)
    private static func match(
        patternCount: Int, subjectCount: Int, isRun: (Int) -> Bool, accepts: (Int, Int) -> Bool
    ) -> Bool {
        var p = 0
        var s = 0
        var starP = -1
        var starS = 0
        while s < subjectCount {
            if p < patternCount, !isRun(p), accepts(p, s) {
                p += 1
                s += 1
            } else if p < patternCount, isRun(p) {
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
        while p < patternCount, isRun(p) { p += 1 }
        return p == patternCount
    }
}
