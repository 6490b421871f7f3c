import AsyncHTTPClient
import MRSWatchdog
import NIOSSL
import Testing

/// Proxy selection from the environment and the TLS settings every client gets.
struct HTTPClientSetupTests {
    static let endpoint = MRSEndpoint(url: "https://mrs.cn-north-4.myhuaweicloud.com")!

    @Test(arguments: [
        ([String: String](), nil as String?),
        (["https_proxy": "http://proxy.corp:3128"], "proxy.corp:3128"),
        (["HTTPS_PROXY": "http://user:pw@proxy.corp:3128/"], "proxy.corp:3128"),
        (["https_proxy": "proxy.corp"], "proxy.corp:80"),
        (["http_proxy": "http://plain:8080"], nil),
        (["https_proxy": "http://p:1", "no_proxy": "localhost,.myhuaweicloud.com"], nil),
        (["https_proxy": "http://p:1", "NO_PROXY": "mrs.cn-north-4.myhuaweicloud.com"], nil),
        (["https_proxy": "http://p:1", "no_proxy": "*"], nil),
        (["https_proxy": "http://p:1", "no_proxy": "huaweicloud.org, example.com"], "p:1"),
    ])
    func httpsProxyIsTakenUnlessNoProxyNamesTheHost(_ environment: [String: String], _ expected: String?) {
        let proxy = HTTPClientSetup.proxy(for: Self.endpoint, environment: environment)
        #expect(proxy.map { "\($0.host):\($0.port)" } == expected)
    }

    @Test func aPlainHTTPEndpointUsesHTTPProxy() {
        let local = MRSEndpoint(url: "http://10.0.0.5:8080")!
        let proxy = HTTPClientSetup.proxy(
            for: local, environment: ["http_proxy": "http://p:8888", "https_proxy": "http://q:1"])
        #expect(proxy == HostPort("p:8888"))
    }

    @Test func tlsIsAlwaysVerifiedAndTheCABundleIsUsedWhenGiven() {
        let plain = HTTPClientSetup.configuration(endpoint: Self.endpoint, caFile: nil, environment: [:])
        #expect(plain.tlsConfiguration?.certificateVerification == .fullVerification)
        #expect(plain.tlsConfiguration?.trustRoots == .default)
        #expect(plain.proxy == nil)

        let pinned = HTTPClientSetup.configuration(
            endpoint: Self.endpoint, caFile: "/etc/mrs-watchdog/ca.pem", environment: ["https_proxy": "http://p:3128"])
        #expect(pinned.tlsConfiguration?.certificateVerification == .fullVerification)
        #expect(pinned.tlsConfiguration?.trustRoots == .file("/etc/mrs-watchdog/ca.pem"))
        #expect(pinned.proxy == .server(host: "p", port: 3128))
    }
}
