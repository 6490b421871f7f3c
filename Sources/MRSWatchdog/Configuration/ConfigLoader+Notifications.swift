#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension ConfigLoader {
    /// `notifications`: which events, the default webhook and SMN topic, and the owners' channels.
    static func readNotifications(
        _ top: ConfigReader.Object, region: String?, _ reader: ConfigReader
    ) -> NotificationSettings {
        var settings = NotificationSettings()
        guard let object = top.object("notifications") else { return settings }
        defer { object.finish() }
        if let events = object.enumList("events", NotificationSettings.Event.self) { settings.events = Set(events) }
        let defaults = readChannels(object, region: region, reader)
        settings.webhook = defaults.webhook
        settings.smn = defaults.smn
        if let owners = object.object("owners") {
            if let tag = owners.string("cluster_tag") {
                if let problem = Cluster.tagProblem(key: tag, value: "*") {
                    reader.report(owners.childPath("cluster_tag"), owners.node["cluster_tag"]!.position, problem)
                } else {
                    settings.owners.clusterTag = tag
                }
            }
            if let byUser = owners.object("by_user") {
                if byUser.members.isEmpty {
                    reader.report(
                        byUser.path, byUser.node.position,
                        "names no one: add MRS users (or cluster_tag values) and their channels")
                }
                for member in byUser.members {
                    guard let entry = byUser.object(member.key) else { continue }
                    let channels = readChannels(entry, region: region, reader)
                    entry.finish()
                    if entry.node["webhook"] == nil, entry.node["smn"] == nil {
                        reader.report(
                            entry.path, entry.node.position,
                            "needs a webhook or an smn channel (the same shapes as notifications.webhook / .smn)")
                    } else if !channels.isEmpty {
                        settings.owners.byUser[member.key] = channels
                    }
                }
                byUser.finish()
            } else {
                owners.require("by_user", " (MRS user → {\"webhook\": …} or {\"smn\": …})")
            }
            owners.finish()
        }
        return settings
    }

    /// The `webhook` and `smn` members of `object` (the default channels, or one owner's).
    private static func readChannels(
        _ object: ConfigReader.Object, region: String?, _ reader: ConfigReader
    ) -> NotificationSettings.Channels {
        var channels = NotificationSettings.Channels()
        if let hook = object.object("webhook") {
            if let url = hook.string("url") {
                if isHTTPURL(url) {
                    channels.webhook = NotificationSettings.Webhook(url: url)
                } else {
                    reader.report(
                        hook.childPath("url"), hook.node["url"]!.position,
                        "expected an http(s) URL, e.g. https://hooks.example.com/mrs-watchdog")
                }
            } else {
                hook.require("url")
            }
            if let timeout = hook.duration("timeout") { channels.webhook?.timeoutMillis = timeout }
            hook.finish()
        }
        if let smn = object.object("smn") {
            var endpoint = region.map { MRSEndpoint(region: $0, service: "smn") }
            if let url = smn.string("endpoint") {
                endpoint = MRSEndpoint(url: url)
                if endpoint == nil {
                    reader.report(
                        smn.childPath("endpoint"), smn.node["endpoint"]!.position,
                        "expected an http(s) URL with a host and no path")
                }
            }
            if let urn = smn.string("topic_urn") {
                if urn.hasPrefix("urn:smn:"), urn.split(separator: ":").count == 5 {
                    if let endpoint { channels.smn = NotificationSettings.SMN(topicURN: urn, endpoint: endpoint) }
                } else {
                    reader.report(
                        smn.childPath("topic_urn"), smn.node["topic_urn"]!.position,
                        "expected urn:smn:REGION:PROJECT_ID:TOPIC")
                }
            } else {
                smn.require("topic_urn")
            }
            if let timeout = smn.duration("timeout") { channels.smn?.timeoutMillis = timeout }
            smn.finish()
        }
        return channels
    }

    private static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty
        else {
            return false
        }
        return scheme == "http" || scheme == "https"
    }
}
