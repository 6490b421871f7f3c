/// Where the MRS API lives: `https://mrs.{region}.myhuaweicloud.com`, or an explicit URL (the emulator).
public struct MRSEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?

    /// Regions whose endpoint is not under `myhuaweicloud.com` (the SDK's `MrsRegion` table).
    static let regionDomains: [String: String] = [
        "ap-southeast-1": "myhuaweicloud.cn", "ru-northwest-2": "myhuaweicloud.cn",
        "ap-southeast-4": "myhuaweicloud.cn", "eu-west-101": "myhuaweicloud.eu",
    ]

    /// The regional endpoint of a Huawei Cloud service: MRS by default, `smn` for notifications.
    public init(region: String, service: String = "mrs") {
        scheme = "https"
        host = "\(service).\(region).\(Self.regionDomains[region] ?? "myhuaweicloud.com")"
        port = nil
    }

    /// Parses `http://127.0.0.1:8080` or `https://host`; nil if it is not an http(s) URL with a host and no path.
    public init?(url: String) {
        let lower = url.lowercased()
        let scheme: String
        var rest: Substring
        if lower.hasPrefix("http://") {
            scheme = "http"
            rest = Substring(url).dropFirst(7)
        } else if lower.hasPrefix("https://") {
            scheme = "https"
            rest = Substring(url).dropFirst(8)
        } else {
            return nil
        }
        while rest.hasSuffix("/") { rest.removeLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("?"), !rest.contains("@") else { return nil }
        var host = String(rest)
        var port: Int?
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            port = number
            host = String(rest[..<colon])
        }
        guard !host.isEmpty else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// `host` or `host:port`, as the signed `Host` header and the URL carry it.
    public var netloc: String { port.map { "\(host):\($0)" } ?? host }
    public var baseURL: String { "\(scheme)://\(netloc)" }
    public var description: String { baseURL }
}
