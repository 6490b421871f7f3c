import Synchronization

/// The read-only checks of `mrs-watchdog doctor` that talk to MRS, in order, each reported as it finishes.
/// What is sent: one signed cluster list (`GET /v1.1/{project}/cluster_infos`), the first page of each
/// watched cluster's job list, and on the first readable cluster a read and a kill of the job id
/// `00000000-0000-0000-0000-000000000000` — which MRS never issues (its ids are random version-4 UUIDs), so
/// the answer "job does not exist" (`0176`) shows the identity was not refused, without stopping anything.
/// Any 401 ends the run: five refused signatures in a row lock the access key for 5 minutes.
public struct Preflight: Sendable {
    /// The job id of the permission probes: the nil UUID, never an MRS job.
    public static let probeJobId = "00000000-0000-0000-0000-000000000000"

    let config: WatchdogConfig
    let client: MRSHTTPClient
    let serverDate: @Sendable () -> ServerDate?

    /// MRS's `Date` header and the host clock when the answer carrying it arrived, epoch ms each.
    public struct ServerDate: Sendable {
        public var dateMillis: Int64
        public var receivedMillis: Int64

        public init(dateMillis: Int64, receivedMillis: Int64) {
            self.dateMillis = dateMillis
            self.receivedMillis = receivedMillis
        }
    }

    /// - Parameter serverDate: the latest `Date` header the client saw (its `onServerDate`), with the host
    ///   clock read as it arrived.
    public init(config: WatchdogConfig, client: MRSHTTPClient, serverDate: @escaping @Sendable () -> ServerDate?) {
        self.config = config
        self.client = client
        self.serverDate = serverDate
    }

    /// Runs the checks, handing each result to `report`; stops at a failure the later checks depend on.
    /// - Returns: true when every check passed.
    public func run(report: (PreflightResult) -> Void) async -> Bool {
        var allPassed = true
        func record(_ result: PreflightResult) {
            allPassed = allPassed && result.passed
            report(result)
        }
        let clusters: [Cluster]
        do {
            clusters = try await client.listClusters(state: "existing").clusters
            let tls = config.mrs.endpoint.scheme == "https" ? "TLS verified" : "plain http (an emulator only)"
            record(
                .init(
                    "signed request", passed: true,
                    "MRS listed \(clusters.count) cluster(s) of project \(client.projectId); \(tls)"))
            record(clock())
        } catch {
            // A clock too far off is refused (APIG.0303): say so before the refusal.
            if serverDate() != nil { record(clock()) }
            record(refused("signed request", error, action: "mrs:cluster:list"))
            return false
        }

        let listed = Set(clusters.map(\.clusterId))
        for id in config.watch.clusterIds where !listed.contains(id) {
            record(
                .init(
                    "cluster \(id)", passed: false, "not found in project \(client.projectId)",
                    hint: "check watch.cluster_ids against `mrs-watchdog clusters` (a terminated cluster is not listed)"
                ))
        }
        let watched = clusters.filter(config.watches)
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
                record(refused("cluster \(cluster.clusterId)", error, action: "mrs:job:list"))
                if Self.endsTheRun(error) { return false }
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
        let read = await permission("read job details", action: "mrs:job:get", cluster: probe) {
            _ = try await client.showJob(clusterId: probe, jobId: Self.probeJobId)
        }
        record(read.result)
        if read.endsTheRun { return false }
        record(
            await permission("stop jobs", action: "mrs:job:stop", cluster: probe) {
                try await client.killJob(clusterId: probe, jobId: Self.probeJobId)
            }.result)
        return allPassed
    }

    private struct FirstPageRead: Error {}

    /// A refused signature: no further signed request may follow.
    static func endsTheRun(_ error: any Error) -> Bool { (error as? HuaweiCloudError)?.httpStatus == 401 }

    /// A call about the probe job id: "does not exist" means the call was not refused.
    private func permission(
        _ what: String, action: String, cluster: String, _ call: () async throws -> Void
    ) async -> (result: PreflightResult, endsTheRun: Bool) {
        let check = "may \(what)"
        do {
            try await call()
            let result = PreflightResult(
                check, passed: false, "MRS accepted a call about job \(Self.probeJobId), which cannot exist",
                hint: "check that mrs.endpoint is MRS")
            return (result, false)
        } catch let error as HuaweiCloudError where error.isNotFound {
            let answer = "MRS answered \(error.errorCode ?? "not found") (job does not exist) on cluster \(cluster)"
            return (PreflightResult(check, passed: true, "\(action) not refused: \(answer)"), false)
        } catch {
            return (refused(check, error, action: action), Self.endsTheRun(error))
        }
    }

    /// A failed call as a result, with the fix its kind calls for.
    func refused(_ check: String, _ error: any Error, action: String) -> PreflightResult {
        guard let error = error as? HuaweiCloudError else {
            return .init(check, passed: false, "\(error)")
        }
        switch (error.httpStatus, error.errorCode) {
        case (401, let code?) where code.hasSuffix(".0303"):
            return .init(
                check, passed: false, "MRS refused the request's time: \(error)",
                hint: "the host clock is more than 15 minutes off: turn on time sync (timedatectl set-ntp true)")
        case (401, _):
            return .init(
                check, passed: false, "MRS refused the credentials or project \(client.projectId): \(error)",
                hint: HuaweiCloudError.authFailureAdvice + " (doctor sent no further signed request)")
        case (403, _):
            return .init(
                check, passed: false, "not permitted (\(action)): \(error)",
                hint: "grant the identity \(action) (the MRS User system policy has every action the daemon uses)")
        case (_, "0192"?):
            return .init(check, passed: false, "\(error)", hint: "synchronize IAM users to the cluster's MRS Manager")
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

    /// The host clock against MRS's `Date` (whole seconds), within the daemon's skew warning.
    func clock() -> PreflightResult {
        guard let server = serverDate() else {
            return .init("clock", passed: false, "MRS sent no Date header", hint: "check that mrs.endpoint is MRS")
        }
        // `Date` names a whole second: measure from its middle and round, so a 10-minute offset reads 10m,
        // not 10m1s depending on where in the second the answer came.
        let fromMiddle = server.receivedMillis - server.dateMillis - 500
        let skew = (fromMiddle + (fromMiddle >= 0 ? 500 : -500)) / 1000
        let off = DurationText.format(millis: abs(skew) * 1000)
        if abs(skew) * 1000 <= DaemonTiming().skewWarningMillis {
            return .init("clock", passed: true, "the host clock is within \(off) of MRS's")
        }
        return .init(
            "clock", passed: false, "the host clock is \(off) \(skew > 0 ? "ahead of" : "behind") MRS's Date header",
            hint: "turn on time sync (timedatectl set-ntp true); MRS refuses signatures more than 15 minutes off")
    }
}
