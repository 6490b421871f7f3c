import Foundation
import Testing

@testable import MRSWatchdog

/// The signing vectors were produced by the official SDK signer (huaweicloudsdkcore 3.1.219); see
/// `Fixtures/mrs-signing-vectors.json`. MRS clients use SDK-HMAC-SHA256, so those vectors must match byte for byte.
struct SignerVectorTests {
    static let file = try! VectorFile.load()
    static let sha256Vectors = file.vectors.filter { $0.algorithm == AKSKSigner.algorithm }

    @Test func fileHoldsTheExpectedSHA256Vectors() {
        #expect(
            Self.sha256Vectors.map(\.name).sorted() == [
                "batch_delete_post_json_body", "list_clusters_tag_filter", "list_job_executions_get_query",
                "path_needs_escaping", "query_sorting_rules", "security_token_signed", "stop_job_post_empty_body",
            ])
        #expect(Self.file.endToEnd.count == 3)
    }

    @Test(arguments: sha256Vectors)
    func directVector(_ vector: VectorFile.Vector) {
        let input = vector.input
        let request = SignableRequest(
            method: input.method, host: input.host, path: input.resourcePath,
            query: input.queryParams.map { .init($0.name, $0.value) },
            headers: input.headers.filter { $0.key != "X-Security-Token" }.map { .init($0.key, $0.value) },
            body: Array((input.body ?? "").utf8))
        let token = input.headers["X-Security-Token"]
        let date = SdkDate(parsing: input.headers["X-Sdk-Date"]!)!
        let signed = AKSKSigner().sign(
            request, credentials: Credentials(accessKey: input.ak, secretKey: input.sk, securityToken: token),
            date: date)
        #expect(signed.canonicalRequest == vector.canonicalRequest)
        #expect(signed.stringToSign == vector.stringToSign)
        #expect(signed.authorization == vector.authorization)
        if let finalURL = vector.finalURL {
            #expect("https://\(input.host)\(signed.pathAndQuery)" == finalURL)
        }
    }

    @Test(arguments: file.endToEnd)
    func endToEndRequest(_ vector: VectorFile.EndToEnd) throws {
        let url = try #require(URLComponents(string: vector.sent.url))
        let host = try #require(url.host)
        let query = SignableRequest.parseQuery(url.percentEncodedQuery)
        let sentHeaders = vector.sent.headers
        let request = SignableRequest(
            method: vector.sent.method, host: host, path: url.percentEncodedPath, query: query,
            headers: ["Content-Type", "User-Agent", "X-Project-Id"].map { .init($0, sentHeaders[$0]!) })
        let signed = AKSKSigner().sign(
            request, credentials: Credentials(accessKey: Self.file.fixed.ak, secretKey: Self.file.fixed.sk),
            date: SdkDate(parsing: Self.file.fixed.xSdkDate)!)
        #expect(signed.canonicalRequest == vector.canonicalRequest)
        #expect(signed.stringToSign == vector.stringToSign)
        #expect("https://\(host)\(signed.pathAndQuery)" == vector.sent.url)
        let produced = Dictionary(signed.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        #expect(produced == sentHeaders)
    }

    @Test func oneByteOfTheSecretChangesTheSignature() {
        let request = SignableRequest(method: "GET", host: "h", path: "/v1/x")
        let date = SdkDate(epochSeconds: 1_704_164_645)
        let good = AKSKSigner().sign(request, credentials: .init(accessKey: "AK", secretKey: "secret"), date: date)
        let bad = AKSKSigner().sign(request, credentials: .init(accessKey: "AK", secretKey: "secreT"), date: date)
        #expect(good.canonicalRequest == bad.canonicalRequest)
        #expect(good.authorization != bad.authorization)
    }

    @Test(arguments: [
        (Int64(0), "19700101T000000Z"), (1_704_164_645, "20240102T030405Z"), (1_700_000_000, "20231114T221320Z"),
        (951_782_400, "20000229T000000Z"), (4_102_444_799, "20991231T235959Z"),
    ])
    func sdkDateFormatsAndParses(_ seconds: Int64, _ text: String) {
        #expect(SdkDate(epochSeconds: seconds).description == text)
        #expect(SdkDate(parsing: text)?.epochSeconds == seconds)
    }

    @Test func credentialsNeverDescribeTheirSecrets() {
        let credentials = Credentials(accessKey: "AKID", secretKey: "TOPSECRET", securityToken: "TOKENVALUE")
        for text in [credentials.description, String(reflecting: credentials), "\(credentials)"] {
            #expect(!text.contains("TOPSECRET"))
            #expect(!text.contains("TOKENVALUE"))
            #expect(text.contains("AKID"))
        }
    }
}

/// The vectors file, decoded. Query values arrive as strings, integers or booleans and are turned into the
/// strings the SDK would send (`str()`, booleans lower-cased).
struct VectorFile: Decodable, Sendable {
    struct Fixed: Decodable, Sendable {
        var ak: String
        var sk: String
        var xSdkDate: String
        enum CodingKeys: String, CodingKey {
            case ak, sk
            case xSdkDate = "x_sdk_date"
        }
    }
    struct QueryParam: Decodable, Sendable {
        var name: String
        var value: String
        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            name = try container.decode(String.self)
            if let bool = try? container.decode(Bool.self) {
                value = bool ? "true" : "false"
            } else if let int = try? container.decode(Int64.self) {
                value = String(int)
            } else {
                value = try container.decode(String.self)
            }
        }
    }
    struct Input: Decodable, Sendable {
        var ak: String
        var sk: String
        var method: String
        var host: String
        var resourcePath: String
        var queryParams: [QueryParam]
        var headers: [String: String]
        var body: String?
        enum CodingKeys: String, CodingKey {
            case ak, sk, method, host, headers, body
            case resourcePath = "resource_path"
            case queryParams = "query_params"
        }
    }
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var algorithm: String
        var input: Input
        var canonicalRequest: String
        var stringToSign: String
        var authorization: String
        var finalURL: String?
        var testDescription: String { name }
        enum CodingKeys: String, CodingKey {
            case name, algorithm, input, authorization
            case canonicalRequest = "canonical_request"
            case stringToSign = "string_to_sign"
            case finalURL = "final_url"
        }
    }
    struct Sent: Decodable, Sendable {
        var method: String
        var url: String
        var headers: [String: String]
    }
    struct EndToEnd: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var sent: Sent
        var canonicalRequest: String
        var stringToSign: String
        var testDescription: String { name }
        enum CodingKeys: String, CodingKey {
            case name, sent
            case canonicalRequest = "canonical_request"
            case stringToSign = "string_to_sign"
        }
    }

    var fixed: Fixed
    var vectors: [Vector]
    var endToEnd: [EndToEnd]
    enum CodingKeys: String, CodingKey {
        case fixed, vectors
        case endToEnd = "end_to_end_sdk_requests"
    }

    static func load() throws -> VectorFile {
        let url = Bundle.module.url(forResource: "Fixtures/mrs-signing-vectors", withExtension: "json")!
        return try JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: url))
    }
}
