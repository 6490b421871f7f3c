import AsyncHTTPClient

/// `doctor --yarn`: for each cluster of the config's `yarn` section, without changing anything: with Kerberos,
/// that the keytab gets a ticket for the principal; whether each ResourceManager answers and in which HA
/// role, that exactly one is active, that its application list can be read (and whose applications it shows;
/// with Kerberos, whether the principal sees other users'), and how far its clock is from this host's.
public struct YarnPreflight: Sendable {
    let settings: YarnSettings
    let http: HTTPClient

    /// How far a ResourceManager's clock may be from the host's: YARN's times are its own, the audit's "now"
    /// is MRS's server time, so a difference is an error in every running time shown.
    static let clockToleranceMillis: Int64 = 60_000

    public init(settings: YarnSettings, http: HTTPClient) {
        self.settings = settings
        self.http = http
    }

    /// Reports one line per check; true when all passed.
    public func run(report: (PreflightResult) -> Void) async -> Bool {
        var passed = true
        func record(_ result: PreflightResult) {
            passed = passed && result.passed
            report(result)
        }
        for source in settings.clusters {
            let client = ResourceManagerClient(http: http, source: source, settings: settings)
            let name = "yarn \(source.clusterId)"
            if let kerberos = source.kerberos {
                let result = await ticket(
                    name, kerberos, url: source.resourceManagers.first ?? "",
                    timeout: .milliseconds(settings.requestTimeoutMillis))
                record(result)
                guard result.passed else { continue }
            }
            let probes = await client.probe()
            for probe in probes {
                if let failure = probe.failure {
                    record(
                        .init(
                            "\(name) \(probe.url)", passed: false, SafeText.line(failure, maxBytes: 512),
                            hint:
                                "check the URL (http://host:8088, or the proxy's path) and that this host may reach it")
                    )
                } else {
                    record(
                        .init(
                            "\(name) \(probe.url)", passed: true,
                            "answers as \(SafeText.line(probe.haState ?? "?", maxBytes: 64))"))
                }
            }
            let manager: ResourceManagerClient.Probe
            do throws(ResourceManagerClient.Failure) {
                manager = try ResourceManagerClient.active(probes)
            } catch {
                record(
                    .init(
                        "\(name) active", passed: false, SafeText.line(error.description, maxBytes: 512),
                        hint: "list every ResourceManager of the cluster, each once"))
                continue
            }
            record(.init("\(name) active", passed: true, manager.url))
            record(clock(name, manager))
            do throws(ResourceManagerClient.Failure) {
                let answer = try await client.runningApps(of: manager.url)
                let users = Set(answer.list.apps.compactMap(\.user)).count
                let unreadable = answer.list.malformed > 0 ? ", \(answer.list.malformed) unreadable" : ""
                record(
                    .init(
                        "\(name) applications", passed: true,
                        "\(answer.list.apps.count) running or accepted, of \(users) user(s)\(unreadable)"
                            + (answer.cutOff ? "; the list reached yarn.max_apps" : "")))
                if let kerberos = source.kerberos { record(visibility(name, kerberos, answer.list)) }
            } catch {
                record(.init("\(name) applications", passed: false, SafeText.line(error.description, maxBytes: 512)))
            }
        }
        return passed
    }

    /// A service ticket for the first ResourceManager, from the keytab: what every request of the audit needs.
    func ticket(
        _ name: String, _ kerberos: YarnSettings.Kerberos, url: String, timeout: Duration
    ) async
        -> PreflightResult
    {
        let authenticator = SpnegoAuthenticator(kerberos)
        let check = "\(name) kerberos"
        let host = ResourceManagerClient.serviceHost(url) ?? "?"
        do throws(SpnegoAuthenticator.Failure) {
            let keytab = try authenticator.keytabPath()
            _ = try await authenticator.header(host: host, timeout: timeout)
            // Over http, anyone on the way can read a token and replay it within the clock skew.
            let plain =
                url.lowercased().hasPrefix("http:")
                ? "; over http, where a token can be read on the way: prefer https" : ""
            return .init(
                check, passed: true,
                SafeText.line(
                    "a ticket for \(kerberos.principal) from \(keytab), and one for HTTP/\(host)\(plain)", maxBytes: 512
                ))
        } catch {
            let keytab = (try? authenticator.keytabPath()) ?? "KEYTAB"
            return .init(
                check, passed: false, SafeText.line(error.reason, maxBytes: 512),
                hint:
                    "try it by hand: KRB5CCNAME=MEMORY: kinit -kt \(keytab) \(kerberos.principal); check /etc/krb5.conf's realm and KDC"
            )
        }
    }

    /// Whether the principal may view other users' applications: security-mode YARN lists every application
    /// but leaves out the times of those the caller has no view access to (Hadoop's AppInfo), and an
    /// application without a start cannot be judged. Not decided while no other user's application runs.
    func visibility(_ name: String, _ kerberos: YarnSettings.Kerberos, _ list: YarnAppList) -> PreflightResult {
        // YARN names a user by the principal's first component (`mrs-watchdog` of `mrs-watchdog/host@REALM`).
        let own = kerberos.principal.prefix { $0 != "/" && $0 != "@" }
        let others = list.apps.filter { $0.user != nil && $0.user != String(own) }
        let check = "\(name) visibility"
        guard !others.isEmpty else {
            return .init(check, passed: true, "cannot tell yet: no other user's application is running")
        }
        guard others.allSatisfy({ $0.startedTime != nil }) else {
            return .init(
                check, passed: false,
                SafeText.line(
                    "\(kerberos.principal) sees other users' applications without their times (no view access)",
                    maxBytes: 512),
                hint:
                    "give \(own) view access to every queue's applications: yarn.admin.acl in MRS Manager's YARN configuration"
            )
        }
        return .init(check, passed: true, "\(kerberos.principal) sees other users' applications, with their times")
    }

    func clock(_ name: String, _ probe: ResourceManagerClient.Probe) -> PreflightResult {
        guard let date = probe.dateMillis, let received = probe.receivedMillis else {
            return .init("\(name) clock", passed: false, "the ResourceManager sent no Date header")
        }
        // `Date` names a whole second: measured from its middle, against this host's clock as it arrived.
        let skew = received - date - 500
        let off = DurationText.format(millis: abs(skew) / 1000 * 1000)
        guard abs(skew) <= Self.clockToleranceMillis else {
            return .init(
                "\(name) clock", passed: false, "its clock is \(off) \(skew > 0 ? "behind" : "ahead of") this host's",
                hint: "turn on time sync on the cluster's nodes: running times are read from YARN's clock")
        }
        return .init("\(name) clock", passed: true, "within \(off) of this host's")
    }
}
