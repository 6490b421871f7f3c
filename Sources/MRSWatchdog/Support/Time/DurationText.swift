/// Durations as operators write them: `"90s"`, `"45m"`, `"2h30m"`, `"1d"`, `"500ms"`.
///
/// Units must appear largest first and at most once; zero, negative, unknown units and overflow are errors.
public enum DurationText {
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        case empty
        case malformed(String)
        case unknownUnit(String)
        case zero
        case overflow

        public var description: String {
            switch self {
            case .empty: return "empty duration"
            // The text may be a job owner's (a declared limit) and of any size.
            case .malformed(let text):
                return "'\(text.elidingMiddle(toBytes: 64))' is not a duration (use e.g. 90s, 45m, 2h30m, 1d)"
            case .unknownUnit(let unit):
                return "unknown duration unit '\(unit.elidingMiddle(toBytes: 64))' (use ms, s, m, h or d)"
            case .zero: return "duration must be greater than zero"
            case .overflow: return "duration is too large"
            }
        }
    }

    private static let units: [(name: String, millis: Int64)] = [
        ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// Parses a positive duration into milliseconds.
    /// - Returns: milliseconds.
    /// - Throws: `ParseError` for zero, negative, malformed, unknown units or overflow.
    public static func parseMillis(_ text: String) throws(ParseError) -> Int64 {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw .empty }
        if trimmed.hasPrefix("-") { throw .malformed(text) }
        var total: Int64 = 0
        var lastUnitRank = -1
        var scalars = Substring(trimmed).unicodeScalars[...]
        while !scalars.isEmpty {
            var number: Int64 = 0
            var digits = 0
            while let scalar = scalars.first, ("0"..."9").contains(scalar) {
                let (times, overflow1) = number.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int64(scalar.value - 48))
                if overflow1 || overflow2 { throw .overflow }
                number = sum
                digits += 1
                scalars.removeFirst()
            }
            guard digits > 0 else { throw .malformed(text) }
            var unit = ""
            while let scalar = scalars.first, scalar.properties.isAlphabetic {
                unit.unicodeScalars.append(scalar)
                scalars.removeFirst()
            }
            guard !unit.isEmpty else { throw .malformed(text) }
            guard let rank = units.firstIndex(where: { $0.name == unit }) else { throw .unknownUnit(unit) }
            guard rank > lastUnitRank else { throw .malformed(text) }
            lastUnitRank = rank
            let (part, overflow1) = number.multipliedReportingOverflow(by: units[rank].millis)
            let (sum, overflow2) = total.addingReportingOverflow(part)
            if overflow1 || overflow2 || sum > maximumMillis { throw .overflow }
            total = sum
        }
        guard total > 0 else { throw .zero }
        return total
    }

    /// About 292 years: beyond this, epoch-millisecond arithmetic could overflow.
    static let maximumMillis: Int64 = 9_000_000_000_000

    /// Formats milliseconds compactly (`2h30m`, `45s`, `1d2h`), for tables and STATUS lines.
    public static func format(millis: Int64) -> String {
        if millis == 0 { return "0s" }
        var rest = abs(millis)
        var out = millis < 0 ? "-" : ""
        for (name, size) in units where name != "ms" {
            if rest >= size {
                out += "\(rest / size)\(name)"
                rest %= size
            }
        }
        if out.isEmpty || out == "-" { out += "\(rest)ms" }
        return out
    }
}
