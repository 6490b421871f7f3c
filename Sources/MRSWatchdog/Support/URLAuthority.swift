/// The scheme and host of `scheme://[user:password@]host[:port]/…` text, read once for both the proxy a
/// request takes and how a webhook URL is shown; the user info is dropped, as it is a credential.
package struct URLAuthority {
    package var scheme: Substring
    /// `host[:port]`, an IPv6 address in brackets.
    package var authority: Substring
    /// The host alone, brackets kept.
    package var host: Substring

    /// Nil for text that is not such a URL (no `://`, a scheme of other than letters, digits, `+`, `-`, `.`,
    /// or no host).
    package init?(_ url: String) {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        scheme = url[..<schemeEnd.lowerBound]
        let rest = url[schemeEnd.upperBound...]
        authority = rest[..<(rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex)]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        host =
            authority.hasPrefix("[")
            ? authority[...(authority.firstIndex(of: "]") ?? authority.index(before: authority.endIndex))]
            : authority.prefix { $0 != ":" }
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }),
            !host.isEmpty
        else { return nil }
    }
}
