import AsyncHTTPClient
import Logging
import Synchronization

/// The read-only checks of `mrs-watchdog doctor` that talk to MRS, in order, each reported as it finishes.
/// What is sent: one signed cluster list (`GET /v1.1/{project}/cluster_infos`; nothing more when it is
/// refused, so a wrong key never nears the 5-failure lockout), the first page of each watched cluster's job
/// list (`limit=10`), and on the first readable cluster a read and a kill of the job id
/// `00000000-0000-0000-0000-000000000000` — which MRS never issues (its ids are random version-4 UUIDs), so
/// the answer "job does not exist" (`0176`) shows the permission without stopping anything.
public struct Preflight: Sendable {
    /// The job id of the permission probes: the nil UUID, never an MRS job.
    public static let probeJobId = "00000000-0000-0000-0000-000000000000"
    /// Host and MRS clocks further apart than this fail the clock check, seconds.
    public static let clockTolerance: Int64 = 60

    let config: WatchdogConfig
    let http: HTTPClient
    let projectId: String
    let credentials: any CredentialProvider
    let hostNow: @Sendable () -> Int64

    /// - Parameter hostNow: the host clock, epoch ms.
    public init(
        config: WatchdogConfig, http: HTTPClient, projectId: String, credentials: any CredentialProvider,
        hostNow: @escaping @Sendable () -> Int64 = { HostClock.nowMillis() }
    ) {
        self.config = config
        self.http = http
        self.projectId = projectId
        self.credentials = credentials
        self.hostNow = hostNow
    }

    /// Runs the checks, handing each result to `report`; stops at a failure the later checks depend on.
    /// - Returns: true when every check passed.
    public func run(report: (PreflightResult) -> Void) async -> Bool {
        var allPassed = true
        func record(_ result: PreflightResult) {
            allPassed = allPassed && result.passed
            report(result)
        }
        let serverDate = Mutex<Int64?>(nil)
        var options = MRSHTTPClient.Options()
        options.requestTimeout = .milliseconds(config.mrs.requestTimeoutMillis)
        options.jobPageSize = 10
        let client = MRSHTTPClient(
            http: http, endpoint: config.mrs.endpoint, projectId: projectId, credentials: credentials,
            options: options, logger: Logger(label: "mrs-watchdog", factory: { _ in SwiftLogNoOpLogHandler() }),
            onServerDate: { date in serverDate.withLock { $0 = date } })

        let clusters: [Cluster]
        do {
            clusters = try await client.listClusters(state: "existing").clusters
            let tls = config.mrs.endpoint.scheme == "https" ? "TLS verified" : "plain http (an emulator only)"
            record(
                .init(
                    "signed request", passed: true,
                    "MRS listed \(clusters.count) cluster(s) of project \(projectId); \(tls)"))
        } catch {
            record(Self.refused("signed request", error, action: "mrs:cluster:list", projectId: projectId))
            return false
        }
        if let server = serverDate.withLock({ $0 }) {
            record(Self.clock(hostMillis: hostNow(), serverMillis: server))
        } else {
            record(.init("clock", passed: false, "MRS sent no Date header", hint: "check that mrs.endpoint is MRS"))
        }

        let watched = clusters.filter(config.watches)
        let listed = Set(clusters.map(\.clusterId))
        for id in config.watch.clusterIds where !listed.contains(id) {
            record(
                .init(
                    "cluster \(id)", passed: false, "not found in project \(projectId)",
                    hint: "check watch.cluster_ids against `mrs-watchdog clusters` (a terminated cluster is not listed)"
                ))
        }
        if watched.isEmpty {
            record(
                .init(
                    "watched clusters", passed: false, "the config watches none of the \(clusters.count) cluster(s)",
                    hint: "check watch.cluster_ids and watch.cluster_tags against `mrs-watchdog clusters`"))
            return false
        }
        var readable: String?
        for cluster in watched {
            var first = 0
            do {
                try await client.forEachJobExecutionPage(clusterId: cluster.clusterId, state: nil) { page in
                    first = page.jobs.count
                    throw FirstPageRead()
                }
            } catch is FirstPageRead {
            } catch {
                record(
                    Self.refused("cluster \(cluster.clusterId)", error, action: "mrs:job:list", projectId: projectId))
                continue
            }
            readable = readable ?? cluster.clusterId
            record(
                .init(
                    "cluster \(cluster.clusterId)", passed: true,
                    "watched (\(cluster.clusterState ?? "state unknown")); job list readable, \(first) job(s) on its first page"
                ))
        }
        guard let probe = readable else { return false }
        await record(
            permission("read job details", action: "mrs:job:get", cluster: probe) {
                _ = try await client.showJob(clusterId: probe, jobId: Self.probeJobId)
            })
        await record(
            permission("stop jobs", action: "mrs:job:stop", cluster: probe) {
                try await client.killJob(clusterId: probe, jobId: Self.probeJobId)
            })
        return allPassed
    }

    private struct FirstPageRead: Error {}

    /// A call about the probe job id: "does not exist" means the call was allowed.
    private func permission(
        _ what: String, action: String, cluster: String, _ call: () async throws -> Void
    ) async -> PreflightResult {
        let check = "may \(what)"
        do {
            try await call()
            return .init(
                check, passed: false, "MRS accepted a call about job \(Self.probeJobId), which cannot exist",
                hint: "check that mrs.endpoint is MRS")
        } catch let error as HuaweiCloudError where error.isNotFound {
            return .init(
                check, passed: true,
                "\(action): MRS answered \(error.errorCode ?? "not found") (job does not exist) on cluster \(cluster)")
        } catch {
            return Self.refused(check, error, action: action, projectId: projectId)
        }
    }

    /// A failed call as a result, with the fix its kind calls for.
    static func refused(_ check: String, _ error: any Error, action: String, projectId: String) -> PreflightResult {
        guard let error = error as? HuaweiCloudError else {
            return .init(check, passed: false, "\(error)")
        }
        switch (error.httpStatus, error.errorCode) {
        case (401, _):
            return .init(
                check, passed: false, "MRS refused the credentials: \(error)",
                hint: "check the access key pair and the project id (\(projectId)); doctor sent no further signed"
                    + " request, as five failures in a row lock the key for 5 minutes")
        case (403, _):
            return .init(
                check, passed: false, "not permitted (\(action)): \(error)",
                hint: "grant the identity \(action) (the MRS User system policy has every action the daemon uses)")
        case (_, "0192"?):
            return .init(
                check, passed: false, "\(error)", hint: "synchronize IAM users to the cluster's MRS Manager")
        default:
            if error.metricLabel == "transport.tls" {
                return .init(
                    check, passed: false, "TLS did not verify: \(error)",
                    hint: "for a private CA set mrs.ca_file; check that mrs.endpoint is the MRS endpoint")
            }
            if error.isTransport {
                return .init(
                    check, passed: false, "MRS could not be reached: \(error)",
                    hint: "check mrs.endpoint (or mrs.region), DNS, proxies and firewalls")
            }
            return .init(check, passed: false, "\(error)")
        }
    }

    /// The host clock against MRS's `Date` (whole seconds).
    static func clock(hostMillis: Int64, serverMillis: Int64) -> PreflightResult {
        let skew = (hostMillis - serverMillis) / 1000
        let off = DurationText.format(millis: abs(skew) * 1000)
        if abs(skew) <= clockTolerance {
            return .init("clock", passed: true, "the host clock is within \(off) of MRS's")
        }
        return .init(
            "clock", passed: false, "the host clock is \(off) \(skew > 0 ? "ahead of" : "behind") MRS's Date header",
            hint: "turn on time sync (timedatectl set-ntp true); MRS refuses signatures more than 15 minutes off")
    }
}
