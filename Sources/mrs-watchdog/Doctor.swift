import ArgumentParser
import AsyncHTTPClient
import MRSWatchdog

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

                What it sends to MRS: one signed cluster list (nothing more if MRS refuses the credentials, as \
                five failures in a row lock the key for 5 minutes); the first page (10 jobs) of each watched \
                cluster's job list; on the first readable cluster a read and a kill of the job id \
                00000000-0000-0000-0000-000000000000, which MRS never issues, so "job does not exist" (0176) \
                proves the permission (mrs:job:get, mrs:job:stop) and nothing is stopped.
                """)

        @OptionGroup var options: ConfigOptions

        @Option(
            help: "The state directory the daemon will use (default: $STATE_DIRECTORY, else /var/lib/mrs-watchdog).")
        var stateDir: String?

        func run() async throws {
            var allPassed = true
            func report(_ result: PreflightResult) {
                allPassed = allPassed && result.passed
                Console.out(result.text)
            }
            let config: WatchdogConfig
            do {
                config = try options.load()
            } catch {
                report(.init("config", passed: false, "\(options.file.config) is not valid (the problems are above)"))
                throw ExitCode(1)
            }
            report(.init("config", passed: true, "\(options.file.config) is valid (\(config.rules.count) rule(s))"))
            let environment = ProcessInfo.processInfo.environment
            report(Self.stateDirectory(Run.stateDirectory(stateDir, environment: environment)))
            let endpoint = config.mrs.endpoint
            let resolves = Self.resolve(endpoint.host)
            report(resolves)
            guard resolves.passed else { throw ExitCode(1) }

            let configuration = HTTPClientSetup.configuration(
                endpoint: endpoint, caFile: config.mrs.caFile, environment: environment)
            let passed = try await HTTPClient.withHTTPClient(configuration: configuration) { http -> Bool in
                let provider: any CredentialProvider
                let resolved: CredentialChain.Resolved
                do {
                    (provider, resolved) = try APISession.credentials(http: http, environment: environment)
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
                guard let projectId = config.mrs.projectId ?? resolved.projectId else {
                    report(
                        .init(
                            "project id", passed: false, "none configured",
                            hint: "set mrs.project_id (My Credentials → API Credentials in the console)"))
                    return false
                }
                return await Preflight(config: config, http: http, projectId: projectId, credentials: provider)
                    .run(report: report)
            }
            guard passed, allPassed else { throw ExitCode(1) }
            Console.out("all checks passed")
        }

        /// The directory exists and may be written, or can be created; checked with access(2), nothing written.
        static func stateDirectory(_ path: String) -> PreflightResult {
            var info = stat()
            if stat(path, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR, access(path, W_OK | X_OK) == 0 else {
                    return .init(
                        "state directory", passed: false, "\(path) is not a writable directory",
                        hint:
                            "use --state-dir, or give the daemon's user write access (StateDirectory= does under systemd)"
                    )
                }
                return .init("state directory", passed: true, "\(path) is writable")
            }
            let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            let existing = parent.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : parent
            guard access(existing, W_OK | X_OK) == 0 else {
                return .init(
                    "state directory", passed: false, "\(path) is missing and \(existing) is not writable",
                    hint: "create it for the daemon's user, or use --state-dir")
            }
            return .init("state directory", passed: true, "\(path) will be created")
        }

        /// The endpoint's host name resolves (getaddrinfo).
        static func resolve(_ host: String) -> PreflightResult {
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
            return .init("endpoint", passed: true, "\(host) resolves to \(address)")
        }
    }
}
