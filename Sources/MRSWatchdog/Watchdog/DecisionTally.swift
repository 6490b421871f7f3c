/// How many jobs were killed (a first kill request accepted), confirmed killed, warned and found unkillable,
/// over some span: since the daemon started, or in the last hour. Both kill paths count — a poll's and a
/// deadline's.
public struct DecisionTally: Sendable, Hashable {
    public var killed = 0
    public var confirmed = 0
    public var warned = 0
    public var unkillable = 0

    public init(killed: Int = 0, confirmed: Int = 0, warned: Int = 0, unkillable: Int = 0) {
        self.killed = killed
        self.confirmed = confirmed
        self.warned = warned
        self.unkillable = unkillable
    }

    /// `2 killed (1 confirmed), 1 warned, 1 unkillable`; unkillable only when there are some.
    public var text: String {
        var text = "\(killed) killed (\(confirmed) confirmed), \(warned) warned"
        if unkillable > 0 { text += ", \(unkillable) unkillable" }
        return text
    }
}
