import AsyncHTTPClient
import NIOCore
import NIOSSL

/// The one `HTTPClient.Configuration` the watchdog uses: TLS verification always on (optionally with a CA
/// bundle), no redirects, connect/read timeouts, and `https_proxy` / `no_proxy` honoured.
public enum HTTPClientSetup {
    public static func configuration(
        endpoint: MRSEndpoint, caFile: String?, environment: [String: String]
    ) -> HTTPClient.Configuration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        if let caFile { tls.trustRoots = .file(caFile) }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(60)))
        if let proxy = proxy(for: endpoint, environment: environment) {
            configuration.proxy = .server(host: proxy.host, port: proxy.port)
        }
        return configuration
    }

    /// The proxy for `endpoint` from `https_proxy`/`http_proxy` (either case), unless `no_proxy` names the host.
    package static func proxy(for endpoint: MRSEndpoint, environment: [String: String]) -> HostPort? {
        let names = endpoint.scheme == "https" ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"]
        guard let raw = names.lazy.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) else { return nil }
        let noProxy = (environment["no_proxy"] ?? environment["NO_PROXY"] ?? "").split(separator: ",")
            .map { $0.trimmingSpaces().lowercased() }
        let host = endpoint.host.lowercased()
        for entry in noProxy where !entry.isEmpty {
            if entry == "*" { return nil }
            let suffix = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            if host == suffix || host.hasSuffix("." + suffix) { return nil }
        }
        var text = Substring(raw)
        if let schemeEnd = text.firstRange(of: "://") { text = text[schemeEnd.upperBound...] }
        if let at = text.lastIndex(of: "@") { text = text[text.index(after: at)...] }
        while text.hasSuffix("/") { text.removeLast() }
        if let parsed = HostPort(String(text)) { return parsed }
        return text.isEmpty ? nil : HostPort("\(text):\(raw.hasPrefix("https") ? 443 : 80)")
    }
}
