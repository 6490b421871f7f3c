import MRSWatchdog
import Testing

/// The chain's order: systemd credentials → environment → SDK profile → metadata service.
struct CredentialChainTests {
    static let profile = """
        # SDK profile
        [other]
        ak = WRONGAK
        [basic]
        ak = PROFILEAK
        sk = PROFILESK
        project_id = profileproject
        """

    static func chain(_ environment: [String: String], files: [String: String]) -> CredentialChain {
        CredentialChain(environment: environment, readFile: { files[$0] })
    }

    static let everything: [String: String] = [
        "CREDENTIALS_DIRECTORY": "/run/credentials/mrs-watchdog.service",
        "HUAWEICLOUD_SDK_AK": "ENVAK", "HUAWEICLOUD_SDK_SK": "ENVSK", "HOME": "/home/op",
    ]
    static let allFiles: [String: String] = [
        "/run/credentials/mrs-watchdog.service/ak": "SYSTEMDAK\n",
        "/run/credentials/mrs-watchdog.service/sk": "SYSTEMDSK\n",
        "/home/op/.huaweicloud/credentials": profile,
    ]

    @Test func systemdCredentialsWinOverEverythingElse() throws {
        let resolved = try Self.chain(Self.everything, files: Self.allFiles).resolve()
        #expect(resolved.credentials == Credentials(accessKey: "SYSTEMDAK", secretKey: "SYSTEMDSK"))
        #expect(resolved.source == .systemdCredentials(directory: "/run/credentials/mrs-watchdog.service"))
    }

    @Test func environmentComesSecond() throws {
        var files = Self.allFiles
        files["/run/credentials/mrs-watchdog.service/ak"] = nil
        files["/run/credentials/mrs-watchdog.service/sk"] = nil
        var environment = Self.everything
        environment["HUAWEICLOUD_SDK_SECURITY_TOKEN"] = "TOKEN"
        environment["HUAWEICLOUD_SDK_PROJECT_ID"] = "envproject"
        let resolved = try Self.chain(environment, files: files).resolve()
        #expect(resolved.credentials == Credentials(accessKey: "ENVAK", secretKey: "ENVSK", securityToken: "TOKEN"))
        #expect(resolved.source == .environment)
        #expect(resolved.projectId == "envproject")
    }

    @Test func theProfileFileComesThirdAndReadsOnlyTheBasicSection() throws {
        let resolved = try Self.chain(["HOME": "/home/op"], files: Self.allFiles).resolve()
        #expect(resolved.credentials == Credentials(accessKey: "PROFILEAK", secretKey: "PROFILESK"))
        #expect(resolved.source == .profile(path: "/home/op/.huaweicloud/credentials"))
        #expect(resolved.projectId == "profileproject")
    }

    @Test func anExplicitProfilePathOverridesTheHomeDirectory() throws {
        let resolved = try Self.chain(
            ["HOME": "/home/op", "HUAWEICLOUD_SDK_CREDENTIALS_FILE": "/etc/mrs/creds"],
            files: ["/etc/mrs/creds": "[basic]\nak=A\nsk=B\n", "/home/op/.huaweicloud/credentials": Self.profile]
        ).resolve()
        #expect(resolved.credentials?.accessKey == "A")
    }

    @Test func nothingFoundFallsThroughToTheMetadataService() throws {
        let resolved = try Self.chain(["HOME": "/home/op"], files: [:]).resolve()
        #expect(resolved.credentials == nil)
        #expect(resolved.source == .metadata)
    }

    @Test func halfAPairIsAnErrorNotAFallThrough() {
        #expect(throws: CredentialChain.ResolutionError.self) {
            try Self.chain(["HUAWEICLOUD_SDK_AK": "ONLYAK"], files: [:]).resolve()
        }
        #expect(throws: CredentialChain.ResolutionError.self) {
            try Self.chain(["CREDENTIALS_DIRECTORY": "/c"], files: ["/c/sk": "x"]).resolve()
        }
    }

    @Test func errorsAndDescriptionsNeverContainTheSecret() throws {
        let resolved = try Self.chain(["HUAWEICLOUD_SDK_AK": "AK1", "HUAWEICLOUD_SDK_SK": "SUPERSECRET"], files: [:])
            .resolve()
        #expect(!resolved.sourceDescription.contains("SUPERSECRET"))
        #expect(!String(describing: resolved.credentials!).contains("SUPERSECRET"))
        #expect(!String(reflecting: resolved).contains("SUPERSECRET"))
    }
}
