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

    @Test(arguments: [
        ("https://hooks.slack.com/services/T0/B0/secret", "https://hooks.slack.com/…"),
        ("https://user:pw@hooks.example.com:8443/x?token=t", "https://hooks.example.com:8443/…"),
        ("http://10.0.0.5", "http://10.0.0.5/…"),
        ("not a url /secret", "a webhook URL"),
    ])
    func aWebhookURLIsShownWithoutItsPathQueryOrUserInfo(_ url: String, _ shown: String) {
        #expect(WebhookURL.shown(url) == shown)
    }

    @Test(
        arguments: [
            ("https://hooks.example.com/x", ["https_proxy": "http://p:1"], "p:1"),
            ("https://hooks.example.com/x", ["https_proxy": "http://p:1", "no_proxy": "*.example.com"], nil),
            (
                "https://hooks.example.com:8443/x",
                ["https_proxy": "http://p:1", "no_proxy": "hooks.example.com:8443"], nil
            ),
            ("http://10.1.2.3:8080/hook", ["https_proxy": "http://p:1"], nil),
            ("http://10.1.2.3:8080/hook", ["http_proxy": "http://p:1", "no_proxy": "10.1.2.3"], nil),
            ("http://[fd00::1]:8080/hook", ["http_proxy": "http://p:1", "no_proxy": "[fd00::1]"], nil),
            ("http://169.254.169.254", ["http_proxy": "http://p:1"], "p:1"),
            // Networks, as curl reads them (7.86): only an address host is in one.
            ("http://10.1.2.3/hook", ["http_proxy": "http://p:1", "no_proxy": "192.168.0.0/16, 10.0.0.0/8"], nil),
            ("http://10.1.2.3/hook", ["http_proxy": "http://p:1", "no_proxy": "10.1.2.0/24"], nil),
            ("http://10.1.3.3/hook", ["http_proxy": "http://p:1", "no_proxy": "10.1.2.0/24"], "p:1"),
            ("http://11.1.2.3/hook", ["http_proxy": "http://p:1", "no_proxy": "10.0.0.0/8"], "p:1"),
            ("http://[fd00::1]/hook", ["http_proxy": "http://p:1", "no_proxy": "fd00::/8"], nil),
            ("http://[fe80::1]/hook", ["http_proxy": "http://p:1", "no_proxy": "fd00::/8"], "p:1"),
            ("http://10.0.0.1/hook", ["http_proxy": "http://p:1", "no_proxy": "fd00::/8, 0.0.0.0/0"], nil),
            ("http://ten.example/hook", ["http_proxy": "http://p:1", "no_proxy": "10.0.0.0/8"], "p:1"),
            ("http://10.0.0.1/hook", ["http_proxy": "http://p:1", "no_proxy": "10.0.0.0/x, 10.0.0.0/33"], "p:1"),
        ] as [(String, [String: String], String?)])
    func aReceiversProxyFollowsItsSchemeAndNoProxy(_ url: String, _ environment: [String: String], _ expected: String?)
    {
        let proxy = HTTPClientSetup.proxy(url: url, environment: environment)
        #expect(proxy.map { "\($0.host):\($0.port)" } == expected)
    }

    @Test func theDirectConfigurationHasNoProxyWhateverTheEnvironment() {
        let direct = HTTPClientSetup.directConfiguration()
        #expect(direct.proxy == nil)
        #expect(direct.tlsConfiguration?.certificateVerification == .fullVerification)
    }
}
