/// One HTTP request as the signer sees it: everything that goes into the signature, nothing else.
///
/// `path` is the resource path as it goes on the wire (it may already carry percent escapes);
/// `query` holds raw, unencoded pairs in any order; `headers` keep the caller's spelling.
public struct SignableRequest: Sendable, Hashable {
    public var method: String
    /// The URL's netloc, `host` or `host:port`; becomes the signed `Host` header unless one is given.
    public var host: String
    public var path: String
    public var query: [QueryItem]
    public var headers: [Header]
    public var body: [UInt8]

    public init(
        method: String, host: String, path: String, query: [QueryItem] = [], headers: [Header] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    public struct QueryItem: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The value of the first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

extension SignableRequest {
    /// The raw pairs of a wire query string (`a=1&b=x%20y` → `[("a","1"), ("b","x y")]`), decoded the way the
    /// signer encodes them; a pair without `=` has an empty value. For servers that re-verify a request.
    public static func parseQuery(_ raw: String?) -> [QueryItem] {
        (raw ?? "").split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return QueryItem(
                PercentEncoding.decode(String(parts[0])),
                parts.count > 1 ? PercentEncoding.decode(String(parts[1])) : "")
        }
    }
}
