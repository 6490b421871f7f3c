import MRSWatchdog

extension EmulatorState {
    /// `application_<ResourceManager start>_<number>`: each cluster's ResourceManager started at its own
    /// moment, so ids never repeat across clusters.
    func applicationId(cluster: String, _ number: Int) -> String {
        let resourceManagerStart = startedAt + Int64(clusterOrder.firstIndex(of: cluster) ?? 0) * 7_919
        let digits = String(number)
        return "application_\(resourceManagerStart)_" + String(repeating: "0", count: max(0, 4 - digits.count))
            + digits
    }

    /// - Throws: `EmulatorError` for an unknown cluster, a bad offset or a standby other than rm1 / rm2.
    func loadYarn(_ yarn: Scenario.YarnSpec) throws {
        if let standby = yarn.standby {
            guard ["rm1", "rm2"].contains(standby) else { throw EmulatorError.badStandby(standby) }
            yarnStandby = standby
        }
        malformedYarnApps = yarn.malformedApps ?? malformedYarnApps
        for spec in yarn.apps ?? [] {
            guard clusters[spec.cluster] != nil else { throw EmulatorError.unknownCluster(spec.cluster) }
            let started = now() + (try spec.startOffset.map(Self.signedMillis) ?? 0)
            // Numbered after the MRS jobs' launcher and job apps, far enough not to meet them.
            let number = 9_000 + yarnApps.count
            yarnApps.append((spec, started, applicationId(cluster: spec.cluster, number)))
        }
    }

    /// What the cluster's active ResourceManager lists as RUNNING or ACCEPTED now: each active MRS job's
    /// launcher and own application, then the scenario's applications outside MRS job management.
    func yarnApplications(cluster: String) -> [YarnApplication] {
        let now = now()
        var apps: [YarnApplication] = []
        for job in jobs[cluster] ?? [] {
            let execution = job.execution(at: now, killedShape: killBehaviour.endShape)
            guard let state = execution.jobStateText, ["ACCEPTED", "RUNNING"].contains(state) else { continue }
            let started = job.submittedAt
            apps.append(
                YarnApplication(
                    id: job.launcherId, user: job.user, queue: job.queue, name: "launcher-\(job.jobId)",
                    applicationType: "MAPREDUCE", tags: ["mrs_launcher"], state: "RUNNING", startedTime: started,
                    launchTime: started, elapsedTime: now - started))
            apps.append(
                YarnApplication(
                    id: job.appId, user: job.user, queue: job.queue, name: job.name,
                    applicationType: job.type == "SparkSubmit" ? "SPARK" : "MAPREDUCE", tags: [], state: state,
                    startedTime: started, launchTime: state == "RUNNING" ? job.startsAt : nil,
                    elapsedTime: now - started))
        }
        for (spec, started, id) in yarnApps where spec.cluster == cluster && started <= now {
            let state = spec.state ?? "RUNNING"
            apps.append(
                YarnApplication(
                    id: id, user: spec.user, queue: spec.queue, name: spec.name, applicationType: spec.type,
                    tags: spec.tags ?? [], state: state, startedTime: started,
                    launchTime: state == "RUNNING" ? started : nil, elapsedTime: now - started))
        }
        return apps
    }
}
