import AsyncHTTPClient
import Glibc
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

    /// The same settings without any proxy: for the ECS metadata service (link-local, and a proxy would see
    /// the agency's keys and token) and for hosts `no_proxy` names.
    public static func directConfiguration() -> HTTPClient.Configuration {
        var configuration = configuration(
            endpoint: MRSEndpoint(url: "http://127.0.0.1")!, caFile: nil, environment: [:])
        configuration.proxy = nil
        return configuration
    }

    /// The proxy for `endpoint` from `https_proxy`/`http_proxy` (either case), unless `no_proxy` names the host.
    package static func proxy(for endpoint: MRSEndpoint, environment: [String: String]) -> HostPort? {
        proxy(host: endpoint.host, https: endpoint.scheme == "https", environment: environment)
    }

    /// The proxy for a request to `url` (`http(s)://host[:port]/…`); nil for text that is not such a URL.
    package static func proxy(url: String, environment: [String: String]) -> HostPort? {
        guard let parts = URLAuthority(url) else { return nil }
        return proxy(host: String(parts.host), https: parts.scheme.lowercased() == "https", environment: environment)
    }

    /// The proxy for a request to `host` from `https_proxy`/`http_proxy` (either case), unless `no_proxy` names
    /// the host as curl reads it: `*`, a domain and its subdomains (`example.com`, `.example.com`,
    /// `*.example.com`), a host with a port (the port is not compared), an IP address, an IPv4 or IPv6
    /// network (`10.0.0.0/8`, `fd00::/8`) for a host given as an address.
    package static func proxy(host: String, https: Bool, environment: [String: String]) -> HostPort? {
        let names = https ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"]
        guard let raw = names.lazy.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) else { return nil }
        let noProxy = (environment["no_proxy"] ?? environment["NO_PROXY"] ?? "").split(separator: ",")
            .map { $0.trimmingSpaces().lowercased() }
        let host = host.lowercased().trimming(["[", "]"])
        for entry in noProxy where !entry.isEmpty {
            if entry == "*" { return nil }
            var name = Substring(entry)
            if name.hasPrefix("*") { name = name.dropFirst() }
            if name.hasPrefix(".") { name = name.dropFirst() }
            if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
                name = name[name.index(after: name.startIndex)..<close]  // [::1]:8080
            } else if name.count(where: { $0 == ":" }) == 1, let colon = name.firstIndex(of: ":") {
                name = name[..<colon]  // host:port
            }
            if let slash = name.firstIndex(of: "/") {
                guard let bits = Int(name[name.index(after: slash)...]) else { continue }
                if address(host, isIn: String(name[..<slash]), prefixBits: bits) { return nil }
                continue
            }
            if host == name || host.hasSuffix("." + name) { return nil }
        }
        var text = Substring(raw)
        if let schemeEnd = text.firstRange(of: "://") { text = text[schemeEnd.upperBound...] }
        if let at = text.lastIndex(of: "@") { text = text[text.index(after: at)...] }
        while text.hasSuffix("/") { text.removeLast() }
        if let parsed = HostPort(String(text)) { return parsed }
        return text.isEmpty ? nil : HostPort("\(text):\(raw.hasPrefix("https") ? 443 : 80)")
    }

    /// Whether the address `host` lies in the network `network`/`prefixBits`, both IPv4 or both IPv6;
    /// false for a host name or a malformed network.
    private static func address(_ host: String, isIn network: String, prefixBits: Int) -> Bool {
        func bytes(_ text: String) -> [UInt8]? {
            var storage = [UInt8](repeating: 0, count: 16)
            if inet_pton(AF_INET, text, &storage) == 1 { return Array(storage.prefix(4)) }
            if inet_pton(AF_INET6, text, &storage) == 1 { return storage }
            return nil
        }
        guard let address = bytes(host), let prefix = bytes(network), address.count == prefix.count,
            (0...address.count * 8).contains(prefixBits)
        else { return false }
        for bit in 0..<prefixBits where (address[bit / 8] ^ prefix[bit / 8]) & (0x80 >> (bit % 8)) != 0 {
            return false
        }
        return true
    }
}
