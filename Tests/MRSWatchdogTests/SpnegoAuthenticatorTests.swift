import Foundation
import MRSWatchdog
import Testing

/// Kerberos without a KDC: where the keytab is read from, and a blocking call given up at its deadline.
/// (With a KDC: IntegrationTests' KerberosTests.)
struct SpnegoAuthenticatorTests {
    @Test func aKeytabIsAPathOrASystemdCredentialsName() throws {
        let path = SpnegoAuthenticator(.init(principal: "p@R", keytab: "/etc/p.keytab"), environment: [:])
        #expect(try path.keytabPath() == "/etc/p.keytab")
        let credential = SpnegoAuthenticator(
            .init(principal: "p@R", keytab: "yarn.keytab"), environment: ["CREDENTIALS_DIRECTORY": "/run/credentials/x"]
        )
        #expect(try credential.keytabPath() == "/run/credentials/x/yarn.keytab")
        let outside = SpnegoAuthenticator(.init(principal: "p@R", keytab: "yarn.keytab"), environment: [:])
        #expect(throws: SpnegoAuthenticator.Failure.self) { try outside.keytabPath() }
    }

    @Test func aBlockingCallIsGivenUpAtItsDeadline() async {
        let late = await SpnegoAuthenticator.withDeadline(.milliseconds(100)) {
            Thread.sleep(forTimeInterval: 3)
            return 1
        }
        #expect(late == nil, "given up at the deadline, not the blocked call's answer")
        #expect(await SpnegoAuthenticator.withDeadline(.seconds(30)) { 2 } == 2)
    }
}
