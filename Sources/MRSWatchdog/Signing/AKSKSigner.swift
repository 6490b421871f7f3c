import Crypto

/// SDK-HMAC-SHA256, byte for byte as `huaweicloudsdkcore/signer/signer.py` signs a request.
///
/// Pure: the date and the credentials come in as values, nothing is read from a clock or the environment.
public struct AKSKSigner: Sendable {
    public static let algorithm = "SDK-HMAC-SHA256"

    public init() {}

    /// Signs `request` with `credentials` at `date`.
    ///
    /// Adds `X-Sdk-Date` (unless present), `X-Security-Token` (for temporary credentials, before signing, so
    /// it is a signed header), `Host` (unless present) and `Authorization`.
    public func sign(_ request: SignableRequest, credentials: Credentials, date: SdkDate) -> SignedRequest {
        var headers = request.headers
        if request.header("X-Sdk-Date") == nil {
            headers.append(.init("X-Sdk-Date", date.description))
        }
        if let token = credentials.securityToken, request.header("X-Security-Token") == nil {
            headers.append(.init("X-Security-Token", token))
        }
        if request.header("Host") == nil {
            headers.append(.init("Host", request.host))
        }
        var payloadHash = Self.hexSHA256(request.body)
        if let contentType = request.header("Content-Type"), !Self.isSignedPayload(contentType) {
            headers.append(.init("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"))
            payloadHash = "UNSIGNED-PAYLOAD"
        }

        let signed = Self.signedHeaders(headers)
        let encodedQuery = Self.canonicalQuery(request.query)
        let canonicalRequest = [
            request.method.uppercased(),
            Self.canonicalURI(request.path),
            encodedQuery,
            signed.map { "\($0.name):\($0.value)\n" }.joined(),
            signed.map(\.name).joined(separator: ";"),
            payloadHash,
        ].joined(separator: "\n")

        let sdkDate = headers.first { $0.name.lowercased() == "x-sdk-date" }?.value ?? date.description
        let stringToSign = "\(Self.algorithm)\n\(sdkDate)\n\(Self.hexSHA256(Array(canonicalRequest.utf8)))"
        let key = SymmetricKey(data: Array(credentials.secretKey.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key)
        let authorization =
            "\(Self.algorithm) Access=\(credentials.accessKey), "
            + "SignedHeaders=\(signed.map(\.name).joined(separator: ";")), Signature=\(Self.hex(mac))"
        headers.append(.init("Authorization", authorization))

        return SignedRequest(
            headers: headers, path: request.path, encodedQuery: encodedQuery,
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, authorization: authorization)
    }

    /// Decode the whole path, split on `/`, encode each segment, and end with `/`.
    static func canonicalURI(_ path: String) -> String {
        let segments = PercentEncoding.decode(path).split(separator: "/", omittingEmptySubsequences: false)
        var uri = segments.map { PercentEncoding.encode(String($0)) }.joined(separator: "/")
        if !uri.hasSuffix("/") { uri += "/" }
        return uri
    }

    /// Sort the raw pairs by (name, value) in code-point order, then encode; this is also the wire query.
    static func canonicalQuery(_ items: [SignableRequest.QueryItem]) -> String {
        items.sorted { lhs, rhs in
            if lhs.name != rhs.name { return codePointLess(lhs.name, rhs.name) }
            return codePointLess(lhs.value, rhs.value)
        }
        .map { "\(PercentEncoding.encode($0.name))=\(PercentEncoding.encode($0.value))" }
        .joined(separator: "&")
    }

    /// Lower-cased names without `_`, sorted by bytes, values trimmed; the last duplicate wins as in a dict.
    static func signedHeaders(_ headers: [SignableRequest.Header]) -> [SignableRequest.Header] {
        var byName: [String: String] = [:]
        for header in headers {
            byName[header.name.lowercased()] = header.value.trimming(.pythonWhitespace)
        }
        return byName.keys.filter { !$0.contains("_") }
            .sorted { codePointLess($0, $1) }
            .map { SignableRequest.Header($0, byName[$0]!) }
    }

    /// The SDK signs the body only for JSON and BSON content types.
    static func isSignedPayload(_ contentType: String) -> Bool {
        let lower = contentType.lowercased()
        return lower.hasPrefix("application/json") || lower.hasPrefix("application/bson")
    }

    static func hexSHA256(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Code-point order (Python's string order), not Swift's Unicode-canonical `<`.
    private static func codePointLess(_ lhs: String, _ rhs: String) -> Bool {
        lhs.unicodeScalars.lexicographicallyPrecedes(rhs.unicodeScalars) { $0.value < $1.value }
    }
}
