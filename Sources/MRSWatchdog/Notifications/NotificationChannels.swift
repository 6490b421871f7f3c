import AsyncHTTPClient
import Logging

/// The channels the daemon sends through, built from a `notifications` section: one recipient's webhook
/// and SMN topic, named for metrics and STATUS.
public enum NotificationChannels {
    /// Builds the default channels (`webhook`, `smn`) and each owner's (`owner ana webhook`, `owner ana smn`);
    /// SMN requests are signed with `credentials` for `projectId`.
    /// - Parameters:
    ///   - http: the client through the proxy the environment names (`https_proxy`), as MRS is reached.
    ///   - direct: a client without a proxy, for receivers `no_proxy` names or no proxy variable covers.
    public static func factory(
        http: HTTPClient, direct: HTTPClient, environment: [String: String], projectId: String,
        credentials: any CredentialProvider, logger: Logger
    ) -> NotificationDispatcher.ChannelFactory {
        { settings, owner in
            let prefix = owner.map { "owner \($0) " } ?? ""
            var channels: [any NotificationChannel] = []
            if let webhook = settings.webhook {
                let proxied = HTTPClientSetup.proxy(url: webhook.url, environment: environment) != nil
                channels.append(
                    WebhookChannel(http: proxied ? http : direct, settings: webhook, name: prefix + "webhook"))
            }
            if let smn = settings.smn {
                let proxied = HTTPClientSetup.proxy(for: smn.endpoint, environment: environment) != nil
                channels.append(
                    SMNChannel(
                        http: proxied ? http : direct, settings: smn, projectId: projectId, credentials: credentials,
                        logger: logger, name: prefix + "smn"))
            }
            return channels
        }
    }
}
