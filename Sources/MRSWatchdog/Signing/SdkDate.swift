/// The `X-Sdk-Date` timestamp, `yyyyMMdd'T'HHmmss'Z'` in UTC, computed without a calendar library.
public struct SdkDate: Sendable, Hashable, CustomStringConvertible {
    /// Whole seconds since the Unix epoch.
    public var epochSeconds: Int64

    public init(epochSeconds: Int64) {
        self.epochSeconds = epochSeconds
    }

    public var description: String {
        let (days, secondsOfDay) = epochSeconds.floorDividedBy(86_400)
        let civil = CivilDate(daysSinceEpoch: days)
        return pad(civil.year, 4) + pad(civil.month, 2) + pad(civil.day, 2) + "T"
            + pad(Int(secondsOfDay / 3600), 2) + pad(Int(secondsOfDay % 3600 / 60), 2)
            + pad(Int(secondsOfDay % 60), 2) + "Z"
    }

    /// Parses `20240102T030405Z`; nil for anything else.
    public init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let days = CivilDate(year: year, month: month, day: day).daysSinceEpoch
        self.epochSeconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
