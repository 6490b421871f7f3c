/// What the signer produced: the headers to send and the intermediate strings, kept for tests and debugging.
public struct SignedRequest: Sendable, Hashable {
    /// Every header to put on the wire, `Host` and `Authorization` included, in a stable order.
    public var headers: [SignableRequest.Header]
    /// The wire path (unchanged from the request; the trailing slash lives only in the canonical form).
    public var path: String
    /// The canonical query string, which is also the exact query sent on the wire ("" for none).
    public var encodedQuery: String
    public var canonicalRequest: String
    public var stringToSign: String
    public var authorization: String

    /// `path?query`, as it goes in the request line.
    public var pathAndQuery: String {
        encodedQuery.isEmpty ? path : path + "?" + encodedQuery
    }
}
