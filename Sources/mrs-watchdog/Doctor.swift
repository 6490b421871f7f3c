import ArgumentParser
import AsyncHTTPClient
import MRSWatchdog
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension WatchdogCommand {
    struct Doctor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Check, changing nothing, that the daemon can work: config, credentials, MRS, clusters, clock, permissions.",
            discussion: """
                One line per check, ✔ or ✘ with a fix. Exit status 0 only when every check passes. Run it before \
                switching a rule to "mode": "enforce".

                What it sends to MRS: one signed cluster list, the first page of each watched cluster's job \
                list, and on the first readable cluster a read and a kill of the job id \
                00000000-0000-0000-0000-000000000000, which MRS never issues: "job does not exist" (0176) means \
                the permission (mrs:job:get, mrs:job:stop) was not refused, and nothing is stopped. Any 401 ends \
                the run, as five failures in a row lock the key for 5 minutes.

                With --yarn it also checks each ResourceManager of the config's yarn section: that it answers and \
                in which HA role, that exactly one is active, that its application list can be read, and its clock; \
                with auth kerberos, first a ticket from the keytab, and then whether the principal sees other \
                users' applications.
                """)

        @OptionGroup var options: ConfigOptions

        @Option(
            help: "The state directory the daemon will use (default: $STATE_DIRECTORY, else /var/lib/mrs-watchdog).")
        var stateDir: String?

        @Flag(help: "Also check the ResourceManagers of the config's yarn section (yarn-audit reads them).")
        var yarn = false

        func run() async throws {
            var allPassed = true
            func report(_ result: PreflightResult) {
                allPassed = allPassed && result.passed
                Console.out(result.text)
            }
            let config: WatchdogConfig
            do {
                config = try options.load()
            } catch let exit as ExitCode {
                // ConfigOptions.load has printed every problem with its position.
                report(.init("config", passed: false, "\(options.file.config) is not valid (the problems are above)"))
                throw exit
            }
            report(.init("config", passed: true, "\(options.file.config) is valid (\(config.rules.count) rule(s))"))
            let environment = ProcessInfo.processInfo.environment
            report(Self.stateDirectory(Run.stateDirectory(stateDir, environment: environment)))
            let endpoint = config.mrs.endpoint
            // Through a proxy, the proxy resolves MRS's name: check the proxy's instead.
            let proxy = HTTPClientSetup.proxy(for: endpoint, environment: environment)
            let resolves = Self.resolve(proxy?.host ?? endpoint.host, via: proxy.map { "proxy \($0.host):\($0.port)" })
            report(resolves)
            guard resolves.passed else { throw ExitCode(1) }

            let configuration = HTTPClientSetup.configuration(
                endpoint: endpoint, caFile: config.mrs.caFile, environment: environment)
            // The metadata service is asked without a proxy, as the daemon asks it.
            let direct = HTTPClient(configuration: HTTPClientSetup.directConfiguration())
            let passed = try await HTTPClient.withHTTPClient(configuration: configuration) { http -> Bool in
                let provider: any CredentialProvider
                let resolved: CredentialChain.Resolved
                do {
                    (provider, resolved) = try APISession.credentials(http: direct, environment: environment)
                    _ = try await provider.credentials()
                } catch {
                    report(
                        .init(
                            "credentials", passed: false, "\(error)",
                            hint: "put the key pair in $CREDENTIALS_DIRECTORY/{ak,sk}, HUAWEICLOUD_SDK_AK/SK or the"
                                + " SDK profile; on an ECS, attach an agency"))
                    return false
                }
                report(.init("credentials", passed: true, "from \(resolved.sourceDescription) (secret not shown)"))
                let projectId: String
                do {
                    projectId = try APISession.projectId(config, resolved)
                } catch {
                    report(
                        .init(
                            "project id", passed: false, "\(error)",
                            hint: "the console shows it under My Credentials → API Credentials"))
                    return false
                }
                // The host clock is read as each answer arrives: the time an answer then waits to be looked at
                // is no part of the offset.
                let serverDate = Mutex<Preflight.ServerDate?>(nil)
                let client = APISession.client(
                    config, http: http, projectId: projectId, credentials: provider,
                    onServerDate: { date in
                        serverDate.withLock { $0 = .init(dateMillis: date, receivedMillis: HostClock.nowMillis()) }
                    })
                let mrsPassed = await Preflight(
                    config: config, client: client, serverDate: { serverDate.withLock { $0 } }
                ).run(report: report)
                guard yarn else { return mrsPassed }
                guard !config.yarn.clusters.isEmpty else {
                    report(
                        .init(
                            "yarn", passed: false, "the config has no yarn section",
                            hint: "name each cluster's ResourceManagers under yarn.clusters"))
                    return false
                }
                let yarnPassed = await YarnPreflight(settings: config.yarn, http: direct)
                    .run(report: report)
                return mrsPassed && yarnPassed
            }
            try await direct.shutdown()
            guard passed, allPassed else { throw ExitCode(1) }
            Console.out("all checks passed")
        }

        /// The directory exists and may be written, or its nearest existing ancestor may be (the daemon
        /// creates the rest); checked with stat(2) and access(2), nothing written.
        static func stateDirectory(_ path: String) -> PreflightResult {
            var candidate = path
            while true {
                var info = stat()
                if stat(candidate, &info) == 0 {
                    let isDirectory = info.st_mode & S_IFMT == S_IFDIR
                    guard isDirectory, access(candidate, W_OK | X_OK) == 0 else {
                        return .init(
                            "state directory", passed: false,
                            candidate == path
                                ? "\(path) is not a writable directory"
                                : "\(path) is missing and \(candidate) is not a writable directory",
                            hint:
                                "use --state-dir, or give the daemon's user write access (StateDirectory= does under systemd)"
                        )
                    }
                    return .init(
                        "state directory", passed: true,
                        candidate == path ? "\(path) is writable" : "\(path) will be created")
                }
                guard errno == ENOENT else {
                    // EACCES: e.g. a DynamicUser= state directory, which only root and the unit can look into.
                    return .init(
                        "state directory", passed: false,
                        "\(candidate) cannot be inspected: \(String(cString: strerror(errno)))",
                        hint: "run doctor as root or as the daemon's user, or pass --state-dir")
                }
                let parent = candidate.split(separator: "/", omittingEmptySubsequences: true).dropLast()
                    .joined(separator: "/")
                candidate = candidate.hasPrefix("/") ? "/" + parent : (parent.isEmpty ? "." : parent)
            }
        }

        /// The endpoint's (or the proxy's) host name resolves (getaddrinfo).
        static func resolve(_ host: String, via proxy: String?) -> PreflightResult {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, nil, &hints, &result)
            defer { if let result { freeaddrinfo(result) } }
            guard status == 0, let first = result else {
                return .init(
                    "endpoint", passed: false, "\(host) does not resolve: \(String(cString: gai_strerror(status)))",
                    hint: "check mrs.region or mrs.endpoint, and the host's DNS")
            }
            var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            getnameinfo(
                first.pointee.ai_addr, first.pointee.ai_addrlen, &name, socklen_t(name.count), nil, 0, NI_NUMERICHOST)
            let address = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .init(
                "endpoint", passed: true, "\(proxy.map { "through \($0): " } ?? "")\(host) resolves to \(address)")
        }
    }
}
