/// How a webhook URL is shown in logs, errors and STATUS: its scheme and host only. Slack, Teams, Feishu and
/// DingTalk hooks carry their credential in the path or the query, so neither is ever written out.
public enum WebhookURL {
    /// `https://hooks.slack.com/services/T0/B0/secret` → `https://hooks.slack.com/…`; text that is not a URL
    /// → `a webhook URL`.
    public static func shown(_ url: String) -> String {
        guard let parts = URLAuthority(url) else { return "a webhook URL" }
        return "\(parts.scheme)://\(parts.authority)/…"
    }
}
