import MRSWatchdog

extension EmulatorRouter {
    /// A cluster's two YARN ResourceManagers (Hadoop ResourceManager REST API), unsigned, under
    /// `/yarn/{cluster}/rm1|rm2/`: `ws/v1/cluster/info` (each says its `haState`) and `ws/v1/cluster/apps`
    /// (`states`, `limit`). The standby redirects (307) what it does not answer itself, as YARN's
    /// `RMWebAppFilter` does.
    func resourceManager(path: String, query: String?) async -> Reply {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 6, parts[0] == "yarn", ["rm1", "rm2"].contains(parts[2]),
            Array(parts[3...5]) == ["ws", "v1", "cluster"], await state.clusters[parts[1]] != nil
        else { return Reply(status: 404, body: Array("Not Found".utf8), contentType: "text/plain") }
        let (cluster, manager, resource) = (parts[1], parts[2], parts.dropFirst(6).joined(separator: "/"))
        let standby = await state.yarnStandby == manager
        switch resource {
        case "", "info":
            let info: [String: [String: String]] = ["clusterInfo": ["haState": standby ? "STANDBY" : "ACTIVE"]]
            return .json(200, info)
        case "apps" where standby:
            let active = "/yarn/\(cluster)/\(manager == "rm1" ? "rm2" : "rm1")/ws/v1/cluster/apps"
            let target = active + (query.map { "?\($0)" } ?? "")
            var reply = Reply(
                status: 307, body: Array("This is standby RM. The redirect url is: \(target)\n".utf8),
                contentType: "text/plain")
            reply.extraHeaders = [("Location", target)]
            return reply
        case "apps":
            let pairs = Self.queryPairs(query)
            let states = Set((pairs["states"] ?? "").split(separator: ",").map { $0.uppercased() })
            let limit = pairs["limit"].flatMap { Int($0) } ?? .max
            let apps = await state.yarnApplications(cluster: cluster)
                .filter { states.isEmpty || states.contains($0.state ?? "") }
            var entries = apps.map(Self.appJSON)
            entries += Array(
                repeating: #"{"id": "not-an-application-id", "startedTime": "soon"}"#,
                count: await state.malformedYarnApps)
            let body = #"{"apps": {"app": ["# + entries.prefix(limit).joined(separator: ", ") + "]}}"
            return Reply(status: 200, body: Array(body.utf8))
        default:
            return Reply(status: 404, body: Array("Not Found".utf8), contentType: "text/plain")
        }
    }

    /// One `apps.app` entry as YARN writes it (tags comma-joined).
    static func appJSON(_ app: YarnApplication) -> String {
        func text(_ value: String?) -> String { value.map(JSONText.quoted) ?? "null" }
        return """
            {"id": \(text(app.id)), "user": \(text(app.user)), "queue": \(text(app.queue)), \
            "name": \(text(app.name)), "applicationType": \(text(app.applicationType)), \
            "applicationTags": \(text(app.tags.joined(separator: ","))), "state": \(text(app.state)), \
            "startedTime": \(app.startedTime ?? 0), "launchTime": \(app.launchTime ?? 0), \
            "elapsedTime": \(app.elapsedTime ?? 0)}
            """
    }
}
