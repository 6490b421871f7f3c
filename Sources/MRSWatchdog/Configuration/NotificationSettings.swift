/// Where warnings, kills, unkillable jobs and breaker changes are announced: a JSON webhook and/or a
/// Huawei Cloud SMN topic. Both optional; nothing is sent when neither is set.
public struct NotificationSettings: Sendable, Hashable {
    public enum Event: String, Sendable, Hashable, CaseIterable, Codable {
        case warn, kill, unkillable, breaker
        case killLoop = "kill-loop"
        /// An extension moved a deadline, or was refused.
        case `extension`
    }

    public struct Webhook: Sendable, Hashable {
        /// `http(s)://host[:port]/path`; receives one JSON object per event.
        public var url: String
        public var timeoutMillis: Int64 = 5_000
    }

    public struct SMN: Sendable, Hashable {
        /// `urn:smn:{region}:{project_id}:{topic}`.
        public var topicURN: String
        /// `https://smn.{region}.myhuaweicloud.com` unless given.
        public var endpoint: MRSEndpoint
        public var timeoutMillis: Int64 = 5_000
    }

    public var events: Set<Event> = Set(Event.allCases)
    public var webhook: Webhook?
    public var smn: SMN?

    public init() {}

    public var isEnabled: Bool { webhook != nil || smn != nil }
}
