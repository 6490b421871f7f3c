/// The HTTP `Date` header (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`), parsed and formatted without
/// a calendar library.
package enum HTTPDate {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Epoch milliseconds → `Sun, 06 Nov 1994 08:49:37 GMT`.
    package static func format(epochMillis: Int64) -> String {
        let (days, secondOfDay) = epochMillis.floorDividedBy(1000).quotient.floorDividedBy(86_400)
        let civil = CivilDate(daysSinceEpoch: days)
        let weekday = weekdays[Int(days.floorDividedBy(7).remainder)]
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(two(Int64(civil.day))) \(months[civil.month - 1]) \(civil.year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60)) GMT"
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` → epoch milliseconds; nil for any other shape.
    package static func parse(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", parts[0].hasSuffix(","),
            let day = Int(parts[1]), (1...31).contains(day),
            let monthIndex = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3]), (1970...9999).contains(year)
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
            (0..<24).contains(hour), (0..<60).contains(minute), (0..<61).contains(second)
        else { return nil }
        let days = CivilDate(year: year, month: monthIndex + 1, day: day).daysSinceEpoch
        return (days * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * 1000
    }
}
