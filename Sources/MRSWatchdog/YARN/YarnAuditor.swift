import AsyncHTTPClient

/// One audit of every cluster under `yarn.clusters`, side by side: its applications in YARN, then its job
/// executions in MRS submitted since an hour before the earliest of them (any state: MRS's state lags YARN's both ways),
/// joined by `YarnAudit`. A cluster MRS does not list, whose ResourceManagers cannot be read, or whose job
/// list is incomplete is a failure, not an audit: every application would look untracked. Read-only.
public struct YarnAuditor: Sendable {
    /// One cluster's audit and where it came from.
    public struct ClusterAudit: Sendable {
        public var audit: YarnAudit
        /// The base URL of the ResourceManager read (the active one).
        public var resourceManager: String
        /// The list reached `yarn.max_apps`: YARN may run more.
        public var cutOff: Bool
        /// Whether the config watches the cluster: if not, the daemon sees none of its applications.
        public var watched: Bool
        /// What the daemon sees of the cluster's applications.
        public var seen: Int { watched ? audit.tracked : 0 }

        public init(audit: YarnAudit, resourceManager: String, cutOff: Bool = false, watched: Bool = true) {
            self.audit = audit
            self.resourceManager = resourceManager
            self.cutOff = cutOff
            self.watched = watched
        }
    }

    /// The audited clusters by id, and why each other one was not audited.
    public struct Report: Sendable {
        public var clusters: [ClusterAudit]
        public var failures: [String: String]

        public init(clusters: [ClusterAudit], failures: [String: String] = [:]) {
            self.clusters = clusters
            self.failures = failures
        }
    }

    let config: WatchdogConfig
    let mrs: MRSHTTPClient
    let http: HTTPClient

    /// - Parameter http: the client for the ResourceManagers (without the MRS endpoint's proxy and CA).
    public init(config: WatchdogConfig, mrs: MRSHTTPClient, http: HTTPClient) {
        self.config = config
        self.mrs = mrs
        self.http = http
    }

    /// - Parameter now: server time, epoch ms (MRS's, which the rules are evaluated at).
    /// - Throws: what `MRSHTTPClient.listClusters` throws: without MRS's cluster list nothing is audited.
    public func run(now: @escaping @Sendable () -> Int64) async throws -> Report {
        let listed = try await mrs.listClusters()
        var extensions = ExtensionDirectory(path: config.extensionsDirectory)
        let evaluator = Evaluator(config: config, extensions: extensions.scan().active(now: now()))
        return await withTaskGroup(of: (String, Result<ClusterAudit, Failure>).self) { group in
            for source in config.yarn.clusters {
                let cluster = listed.clusters.first { $0.clusterId == source.clusterId }
                group.addTask {
                    guard let cluster else {
                        return (source.clusterId, .failure(Failure("MRS does not list this cluster")))
                    }
                    return (source.clusterId, await audit(cluster, source, evaluator: evaluator, now: now))
                }
            }
            var report = Report(clusters: [], failures: [:])
            for await (cluster, outcome) in group {
                switch outcome {
                case .success(let audit): report.clusters.append(audit)
                case .failure(let failure): report.failures[cluster] = failure.description
                }
            }
            report.clusters.sort { $0.audit.clusterId < $1.audit.clusterId }
            return report
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    func audit(
        _ cluster: Cluster, _ source: YarnSettings.Source, evaluator: Evaluator, now: @Sendable () -> Int64
    ) async -> Result<ClusterAudit, Failure> {
        let answer: (resourceManager: String, list: YarnAppList, cutOff: Bool)
        do throws(ResourceManagerClient.Failure) {
            answer = try await ResourceManagerClient(http: http, source: source, settings: config.yarn).runningApps()
        } catch {
            return .failure(Failure("YARN: \(error)"))
        }
        var jobs: [JobExecution] = []
        if let since = YarnAudit.earliestStart(answer.list) {
            do {
                let pages = try await mrs.listJobExecutions(clusterId: cluster.clusterId, submittedSince: since)
                if let short = pages.first(where: { $0.endedEarly != nil || !$0.malformed.isEmpty }) {
                    let why = short.endedEarly ?? "\(short.malformed.count) job entries could not be read"
                    return .failure(Failure("MRS job list incomplete (\(why))"))
                }
                jobs = pages.flatMap(\.jobs)
            } catch {
                return .failure(Failure("MRS job list: \(error)"))
            }
        }
        let audit = YarnAudit.audit(
            clusterId: cluster.clusterId, clusterTags: cluster.tags, apps: answer.list, jobs: jobs,
            evaluator: evaluator, now: now())
        return .success(
            ClusterAudit(
                audit: audit, resourceManager: answer.resourceManager, cutOff: answer.cutOff,
                watched: config.watches(cluster)))
    }
}
