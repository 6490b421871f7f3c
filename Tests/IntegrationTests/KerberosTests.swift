import Foundation
import MRSEmulator
import MRSWatchdog
import Testing
import WatchdogTestSupport

/// `auth: kerberos` end to end: a real MIT KDC in a throwaway realm (`KerberosRealm`), a ResourceManager that
/// checks SPNEGO tokens with python3-gssapi (Tests/Kerberos/spnego_resource_manager.py), and `yarn-audit` and
/// `doctor --yarn` as operators run them, MRS being the emulator.
@Suite(.timeLimit(.minutes(1)))
struct KerberosTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Kerberos/spnego_resource_manager.py").standardized.path

    /// True (and SKIPPED printed) when this host cannot make a realm; never under CI=true.
    static func skipped(_ test: String) -> Bool {
        guard let reason = KerberosRealm.unavailable else { return false }
        print("SKIPPED \(test): \(reason)")
        #expect(ProcessInfo.processInfo.environment["CI"] != "true", "make deps installs the realm's tools under CI")
        return true
    }

    /// The ResourceManager behind Kerberos, listing alice's spark-shell (3 h) and one of mrs-watchdog's own.
    /// - Parameter viewAccess: false: alice's times are 0, as YARN lists them to a caller without view access.
    static func resourceManager(_ realm: KerberosRealm, viewAccess: Bool = true) async throws -> (ChildProcess, String)
    {
        let now = HostClock.nowMillis()
        let started = viewAccess ? now - 3 * 3_600_000 : 0
        let apps = """
            {"apps": {"app": [
              {"id": "application_1764000000000_0042", "user": "alice", "queue": "adhoc", "name": "spark-shell",
               "applicationType": "SPARK", "state": "RUNNING", "startedTime": \(started), "launchTime": \(started),
               "elapsedTime": \(viewAccess ? now - started : 0)},
              {"id": "application_1764000000000_0043", "user": "mrs-watchdog", "name": "probe",
               "applicationType": "MAPREDUCE", "state": "ACCEPTED", "startedTime": \(now - 60_000), "elapsedTime": 60000}
            ]}}
            """
        let file = realm.directory + "/apps-\(UUID().uuidString).json"
        try apps.write(toFile: file, atomically: true, encoding: .utf8)
        let server = try ChildProcess(
            "/usr/bin/python3", [script, realm.serviceKeytab, file],
            environment: ChildProcess.cleanEnvironment(realm.environment))
        try await server.waitForOutput("listening on ")
        let port = try #require(server.stdout.split(separator: "\n").first?.split(separator: " ").last)
        return (server, "http://127.0.0.1:\(port)")
    }

    /// A realm, the emulator with cluster `c-sec`, and the ResourceManager behind Kerberos, for `body`.
    static func withSecureCluster(
        _ body:
            @Sendable (KerberosRealm, EmulatorHarness, _ server: ChildProcess, _ manager: String) async throws -> Void
    ) async throws {
        try await KerberosRealm.run { realm in
            try await EmulatorHarness.run { emulator in
                await emulator.addCluster("c-sec", tags: ["env": "prod"])
                let (server, manager) = try await Self.resourceManager(realm)
                try await body(realm, emulator, server, manager)
            }
        }
    }

    /// `mrs-watchdog <arguments> --config …`, the config's one YARN cluster `c-sec` read at `manager` with the
    /// `auth` members given, in the realm's environment plus `extra`.
    static func watchdog(
        _ arguments: [String], _ emulator: EmulatorHarness, _ realm: KerberosRealm, manager: String, auth: String,
        extra: [String: String] = [:]
    ) async throws -> ChildProcess.Finished {
        let config = try TemporaryConfig(
            ConfigText(
                mrs: emulator.mrs, watch: ConfigText.watching(["c-sec"]), rules: YarnAuditEmulatorTests.rules,
                more:
                    #""yarn": {"request_timeout": "5s", "clusters": [{"cluster_id": "c-sec", "resource_managers": ["\#(manager)"], \#(auth)}]}"#
            ).description)
        return try await ChildProcess.run(
            "mrs-watchdog", arguments + ["--config", config.path],
            environment: YarnAuditEmulatorTests.environment.merging(realm.environment) { $1 }.merging(extra) { $1 })
    }

    /// The `auth` members of a cluster: Kerberos as mrs-watchdog, its key from `keytab`.
    static func kerberos(keytab: String) -> String {
        #""auth": "kerberos", "principal": "\#(KerberosRealm.principal)", "keytab": "\#(keytab)""#
    }

    @Test func yarnAuditReadsAResourceManagerBehindKerberos() async throws {
        guard !Self.skipped("yarnAuditReadsAResourceManagerBehindKerberos") else { return }
        try await Self.withSecureCluster { realm, emulator, server, manager in
            let result = try await Self.watchdog(
                ["yarn-audit"], emulator, realm, manager: manager, auth: Self.kerberos(keytab: realm.clientKeytab))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("YARN runs 2 apps, mrs-watchdog sees 0 of them"), "\(result.stdout)")
            #expect(result.stdout.contains("kill: over spark-2h by 1h"))
            #expect(
                server.stdout.contains("accepted \(KerberosRealm.principal) /ws/v1/cluster/info"), "\(server.stdout)")
            #expect(server.stdout.contains("accepted \(KerberosRealm.principal) /ws/v1/cluster/apps"))
            // Two requests, one ticket of each kind: the memory cache serves the second.
            let log = try String(contentsOfFile: realm.directory + "/kdc.log", encoding: .utf8)
            let issued = log.split(separator: "\n").filter { $0.contains("ISSUE") }
            #expect(issued.count { $0.contains("AS_REQ") } == 1, "\(issued)")
            #expect(issued.count { $0.contains("TGS_REQ") } == 1, "\(issued)")

            // The keytab as a systemd credential (LoadCredential=yarn.keytab:…): its name, read from
            // $CREDENTIALS_DIRECTORY.
            let credential = Self.kerberos(keytab: "client.keytab")
            let fromCredentials = try await Self.watchdog(
                ["yarn-audit"], emulator, realm, manager: manager, auth: credential,
                extra: ["CREDENTIALS_DIRECTORY": realm.directory])
            #expect(fromCredentials.status == 0, "\(fromCredentials.stderr)")
            let outsideSystemd = try await Self.watchdog(
                ["yarn-audit"], emulator, realm, manager: manager, auth: credential)
            #expect(outsideSystemd.status == 1)
            #expect(
                outsideSystemd.stderr.contains("names a systemd credential, but there is no $CREDENTIALS_DIRECTORY"))
        }
    }

    /// No token, or a keytab without the principal's key: refused, named, and nothing listed as untracked.
    @Test func aResourceManagerBehindKerberosRefusesWhatHasNoValidTicket() async throws {
        guard !Self.skipped("aResourceManagerBehindKerberosRefusesWhatHasNoValidTicket") else { return }
        try await Self.withSecureCluster { realm, emulator, server, manager in
            let withoutKerberos = try await Self.watchdog(
                ["yarn-audit"], emulator, realm, manager: manager, auth: #""auth": "none""#)
            #expect(withoutKerberos.status == 1)
            #expect(withoutKerberos.stderr.contains("HTTP 401"), "\(withoutKerberos.stderr)")
            #expect(withoutKerberos.stderr.contains("the ResourceManager wants Kerberos"))
            #expect(!withoutKerberos.stdout.contains("YARN runs"))

            // The service's keytab holds no key for mrs-watchdog: no ticket, said in krb5's words.
            let noTicket = try await Self.watchdog(
                ["yarn-audit"], emulator, realm, manager: manager, auth: Self.kerberos(keytab: realm.serviceKeytab))
            #expect(noTicket.status == 1)
            #expect(noTicket.stderr.contains("Kerberos: no ticket from the keytab"), "\(noTicket.stderr)")
            #expect(!server.stdout.contains("accepted"), "nothing was let in: \(server.stdout)")
        }
    }

    /// `doctor --yarn` with Kerberos: the ticket from the keytab, the ResourceManager, and whether the
    /// principal sees other users' applications (alice's here).
    @Test func doctorChecksTheTicketAndWhatThePrincipalSees() async throws {
        guard !Self.skipped("doctorChecksTheTicketAndWhatThePrincipalSees") else { return }
        try await Self.withSecureCluster { realm, emulator, _, manager in
            let result = try await Self.watchdog(
                ["doctor", "--yarn"], emulator, realm, manager: manager, auth: Self.kerberos(keytab: realm.clientKeytab)
            )
            #expect(
                result.stdout.contains("✔ yarn c-sec kerberos: a ticket for \(KerberosRealm.principal)"),
                "\(result.stdout)")
            #expect(
                result.stdout.contains(
                    "✔ yarn c-sec visibility: \(KerberosRealm.principal) sees other users' applications, with their times"
                ))
            #expect(result.stdout.contains("✔ yarn c-sec applications: 2 running or accepted, of 2 user(s)"))

            let failed = try await Self.watchdog(
                ["doctor", "--yarn"], emulator, realm, manager: manager,
                auth: Self.kerberos(keytab: realm.serviceKeytab))
            #expect(failed.status != 0)
            #expect(failed.stdout.contains("✘ yarn c-sec kerberos: no ticket from the keytab"), "\(failed.stdout)")

            // Listed without their times: YARN's answer to a principal without view access.
            let (hidden, hiddenManager) = try await Self.resourceManager(realm, viewAccess: false)
            defer { withExtendedLifetime(hidden) {} }
            let withoutView = try await Self.watchdog(
                ["doctor", "--yarn"], emulator, realm, manager: hiddenManager,
                auth: Self.kerberos(keytab: realm.clientKeytab))
            #expect(withoutView.status != 0)
            #expect(
                withoutView.stdout.contains(
                    "✘ yarn c-sec visibility: \(KerberosRealm.principal) sees other users' applications without their times"
                ),
                "\(withoutView.stdout)")
        }
    }
}
