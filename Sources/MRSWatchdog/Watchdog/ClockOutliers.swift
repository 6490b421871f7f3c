/// The `Date` headers the server clock refused during a poll, and the steps it took (`ServerClock`): one
/// response cannot move server time, several that agree can.
public struct ClockOutliers: Sendable, Hashable {
    /// Responses whose `Date` strayed from the estimate by more than the tolerance.
    public var count = 0
    /// The largest distance of one from the estimate, ms (positive: ahead).
    public var largestOffsetMillis: Int64 = 0
    /// Confirmed steps of the estimate, ms each (positive: forward).
    public var stepsMillis: [Int64] = []

    public init(count: Int = 0, largestOffsetMillis: Int64 = 0, stepsMillis: [Int64] = []) {
        self.count = count
        self.largestOffsetMillis = largestOffsetMillis
        self.stepsMillis = stepsMillis
    }

    public var isEmpty: Bool { count == 0 && stepsMillis.isEmpty }
}
