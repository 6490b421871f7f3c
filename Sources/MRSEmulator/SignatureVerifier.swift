import MRSWatchdog

/// Checks an incoming request's SDK-HMAC-SHA256 signature the way the API gateway would: recompute it
/// from what arrived with the secret of the named access key, and check `X-Sdk-Date` is within 15 minutes.
struct SignatureVerifier {
    enum Failure: Equatable {
        /// `APIG.0301`: missing or malformed Authorization, unknown key, wrong signature, wrong token.
        case signature(String)
        /// `APIG.0303`: `X-Sdk-Date` missing, malformed or too far from the server's clock.
        case timestamp(String)
    }

    static let allowedSkewMillis: Int64 = 15 * 60 * 1000

    /// `headers` as received (names in any case); `rawPath` and `rawQuery` exactly as on the request line.
    static func verify(
        method: String, rawPath: String, rawQuery: String?, headers: [(String, String)], body: [UInt8],
        serverNow: Int64, lookup: (String) -> Credentials?
    ) -> Failure? {
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name }?.1
        }
        guard let authorization = header("authorization"),
            let parsed = ParsedAuthorization(authorization)
        else { return .signature("Authorization header missing or malformed") }
        guard let dateText = header("x-sdk-date"), let date = SdkDate(parsing: dateText) else {
            return .timestamp("X-Sdk-Date missing or malformed")
        }
        if abs(date.epochSeconds * 1000 - serverNow) > allowedSkewMillis {
            return .timestamp("X-Sdk-Date is more than 15 minutes from the server time")
        }
        guard let credentials = lookup(parsed.accessKey) else { return .signature("unknown access key") }
        if let expected = credentials.securityToken, header("x-security-token") != expected {
            return .signature("security token missing or wrong")
        }
        // Sign exactly the headers the client said it signed, with the values that arrived.
        var signedHeaders: [SignableRequest.Header] = []
        for name in parsed.signedHeaders {
            guard let value = header(name) else { return .signature("signed header '\(name)' missing") }
            signedHeaders.append(.init(name, value))
        }
        guard signedHeaders.contains(where: { $0.name == "host" }) else { return .signature("host not signed") }
        let request = SignableRequest(
            method: method, host: header("host") ?? "", path: rawPath, query: SignableRequest.parseQuery(rawQuery),
            headers: signedHeaders,
            body: body)
        let expected = AKSKSigner().sign(
            request, credentials: Credentials(accessKey: parsed.accessKey, secretKey: credentials.secretKey),
            date: date)
        guard expected.authorization == authorization.trimmingSpaces() else {
            return .signature("verify aksk signature fail")
        }
        return nil
    }

    /// `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`
    struct ParsedAuthorization {
        var accessKey: String
        var signedHeaders: [String]
        var signature: String

        init?(_ text: String) {
            let prefix = AKSKSigner.algorithm + " "
            guard text.hasPrefix(prefix) else { return nil }
            var fields: [String: String] = [:]
            for part in text.dropFirst(prefix.count).split(separator: ",") {
                let pair = part.trimmingSpaces().split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { return nil }
                fields[String(pair[0])] = String(pair[1])
            }
            guard let access = fields["Access"], let signed = fields["SignedHeaders"],
                let signature = fields["Signature"]
            else { return nil }
            accessKey = access
            signedHeaders = signed.split(separator: ";").map(String.init)
            self.signature = signature
        }
    }
}
