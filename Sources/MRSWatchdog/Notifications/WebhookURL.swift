/// How a webhook URL is shown in logs, errors and STATUS: its scheme and host only. Slack, Teams, Feishu and
/// DingTalk hooks carry their credential in the path or the query, so neither is ever written out.
public enum WebhookURL {
    /// `https://hooks.slack.com/services/T0/B0/secret` → `https://hooks.slack.com/…`; text that is not a URL
    /// → `a webhook URL`.
    public static func shown(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return "a webhook URL" }
        let scheme = url[..<schemeEnd.lowerBound]
        let rest = url[schemeEnd.upperBound...]
        var authority = rest[..<(rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex)]
        // User info is a credential too.
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0 == "+" }), !authority.isEmpty else {
            return "a webhook URL"
        }
        return "\(scheme)://\(authority)/…"
    }
}
