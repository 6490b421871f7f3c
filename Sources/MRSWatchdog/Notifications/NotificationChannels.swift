import AsyncHTTPClient
import Logging

/// The channels the daemon sends through, built from a `notifications` section: one recipient's webhook
/// and SMN topic, named for metrics and STATUS.
public enum NotificationChannels {
    /// Builds the default channels (`webhook`, `smn`) and each owner's (`owner ana webhook`, `owner ana smn`)
    /// over `http`; SMN requests are signed with `credentials` for `projectId`.
    public static func factory(
        http: HTTPClient, projectId: String, credentials: any CredentialProvider, logger: Logger
    ) -> NotificationDispatcher.ChannelFactory {
        { settings, owner in
            let prefix = owner.map { "owner \($0) " } ?? ""
            var channels: [any NotificationChannel] = []
            if let webhook = settings.webhook {
                channels.append(WebhookChannel(http: http, settings: webhook, name: prefix + "webhook"))
            }
            if let smn = settings.smn {
                channels.append(
                    SMNChannel(
                        http: http, settings: smn, projectId: projectId, credentials: credentials, logger: logger,
                        name: prefix + "smn"))
            }
            return channels
        }
    }
}
