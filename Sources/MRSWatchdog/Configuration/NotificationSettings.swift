/// Where warnings, kills, unkillable jobs, kill loops, extensions and breaker changes are announced: a JSON
/// webhook and/or a Huawei Cloud SMN topic, and per owner (`owners`). All optional; nothing is sent when none
/// is set.
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

    /// Where one recipient's notices go: a webhook, an SMN topic, or both.
    public struct Channels: Sendable, Hashable {
        public var webhook: Webhook?
        public var smn: SMN?

        public init(webhook: Webhook? = nil, smn: SMN? = nil) {
            self.webhook = webhook
            self.smn = smn
        }

        public var isEmpty: Bool { webhook == nil && smn == nil }
    }

    /// `notifications.owners`: a job's notices go to its owner — its MRS `user`, else the value of the
    /// cluster's `cluster_tag` — when `by_user` names them, else to the default channels.
    public struct Owners: Sendable, Hashable {
        public var byUser: [String: Channels] = [:]
        public var clusterTag: String?

        public init() {}

        /// The `by_user` key a job's notices go to: its user when listed, else its cluster's `cluster_tag`
        /// value when listed; nil: the default channels.
        public func owner(user: String?, clusterTags: [String: String]?) -> String? {
            if let user, byUser[user] != nil { return user }
            if let tag = clusterTag, let value = clusterTags?[tag], byUser[value] != nil { return value }
            return nil
        }
    }

    public var events: Set<Event> = Set(Event.allCases)
    /// The default channels: everything not routed to an owner, and the breaker.
    public var webhook: Webhook?
    public var smn: SMN?
    public var owners = Owners()

    public init() {}

    public var defaults: Channels { Channels(webhook: webhook, smn: smn) }

    public var isEnabled: Bool { webhook != nil || smn != nil || !owners.byUser.isEmpty }
}
