// Named time zones (IANA ids) and their DST rules need FoundationInternationalization: FoundationEssentials
// alone resolves none (`TimeZone(identifier: "Asia/Shanghai")` is nil there). The binary links it anyway.
import Foundation

/// When an enforce rule may kill (`"enforce_during"` in the config): local wall-clock windows in an IANA time
/// zone, on some days of the week, except some dates. A window belongs to the day it opens: `from` 20:00 `to`
/// 06:00 on `mon` runs from Monday 20:00 to Tuesday 06:00; `from` equal to `to` is a whole day. An excepted
/// date has no window opening on it. Across DST changes a window opens at the local time the zone shows; a
/// `from` that does not exist that day (inside the spring-forward gap) opens as much later as the gap is long
/// (02:30 becomes 03:30), and one that exists twice (fall back) at the first of them.
public struct EnforcementWindow: Sendable, Hashable {
    public enum Weekday: String, Sendable, Hashable, CaseIterable {
        case sun, mon, tue, wed, thu, fri, sat
    }

    public let timeZone: TimeZone
    public let days: Set<Weekday>
    /// Minutes after local midnight, 0..<1440.
    public let fromMinutes: Int
    public let toMinutes: Int
    /// Local dates (`2026-10-01`) on which no window opens.
    public let exceptDates: Set<String>
    private let calendar: Calendar

    public init(
        timeZone: TimeZone, days: Set<Weekday> = Set(Weekday.allCases), fromMinutes: Int, toMinutes: Int,
        exceptDates: Set<String> = []
    ) {
        self.timeZone = timeZone
        self.days = days
        self.fromMinutes = fromMinutes
        self.toMinutes = toMinutes
        self.exceptDates = exceptDates
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The zone with IANA id `name` ("Asia/Shanghai", "UTC"); nil for anything else, abbreviations such as
    /// "CST" included, which mean different zones in different places.
    public static func zone(named name: String) -> TimeZone? {
        name.contains("/") || name == "UTC" ? TimeZone(identifier: name) : nil
    }

    /// Windows are searched this many days ahead (a year, and a little for excepted dates).
    static let horizonDays = 400

    /// True when `millis` (epoch ms) is inside a window.
    public func contains(_ millis: Int64) -> Bool {
        let day = localDay(of: millis)
        return [-1, 0].contains { offset in
            guard let window = window(opening: day + offset) else { return false }
            return window.start <= millis && millis < window.end
        }
    }

    /// `millis` when it is inside a window, else the instant the next window opens; nil when none opens
    /// within `horizonDays` (every day excepted).
    public func nextOpening(atOrAfter millis: Int64) -> Int64? {
        if contains(millis) { return millis }
        let today = localDay(of: millis)
        for offset in 0...Self.horizonDays {
            if let window = window(opening: today + offset), window.start > millis { return window.start }
        }
        return nil
    }

    /// The window opening on local day `day` (days since 1970-01-01), nil when none does.
    func window(opening day: Int) -> (start: Int64, end: Int64)? {
        let weekday = Weekday.allCases[((day % 7) + 7 + 4) % 7]  // 1970-01-01 was a Thursday
        guard days.contains(weekday), !exceptDates.contains(Self.dateText(day)) else { return nil }
        guard let start = instant(day: day, minutes: fromMinutes),
            let end = instant(day: toMinutes > fromMinutes ? day : day + 1, minutes: toMinutes)
        else { return nil }
        return (start, end)
    }

    /// The local day (days since 1970-01-01 in this zone) that `millis` falls on.
    func localDay(of millis: Int64) -> Int {
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(millis) / 1000))) * 1000
        return Int((millis + offset).floorDividedBy(86_400_000).quotient)
    }

    /// The instant local day `day` shows `minutes` after midnight (see the type's note on DST); nil when the
    /// calendar cannot tell, which opens no window.
    func instant(day: Int, minutes: Int) -> Int64? {
        let civil = CivilDate(daysSinceEpoch: Int64(day))
        let components = DateComponents(
            year: civil.year, month: civil.month, day: civil.day, hour: minutes / 60, minute: minutes % 60)
        guard let date = calendar.date(from: components) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// `2026-10-01` for local day `day`.
    static func dateText(_ day: Int) -> String {
        String(RFC3339.format(epochMillis: Int64(day) * 86_400_000).prefix(10))
    }
}
