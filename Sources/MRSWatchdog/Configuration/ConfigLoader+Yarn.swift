extension ConfigLoader {
    /// `yarn`: `{"clusters": [{"cluster_id": …, "resource_managers": [URL, …], "auth": "none" | "kerberos",
    /// "principal": …, "keytab": …}], "max_apps": N,
    /// "request_timeout": "10s", "audit_in_daemon": false}`.
    static func readYarn(_ top: ConfigReader.Object, _ reader: ConfigReader) -> YarnSettings {
        var settings = YarnSettings()
        guard let object = top.object("yarn") else { return settings }
        defer { object.finish() }
        settings.maxApps = object.integer("max_apps", in: 1...20_000) ?? settings.maxApps
        settings.auditInDaemon = object.bool("audit_in_daemon") ?? settings.auditInDaemon
        if let timeout = object.duration("request_timeout") {
            if (1_000...300_000).contains(timeout) {
                settings.requestTimeoutMillis = timeout
            } else {
                reader.report(
                    object.childPath("request_timeout"), object.node["request_timeout"]!.position,
                    "must be between 1s and 5m")
            }
        }
        guard let node = object.value("clusters") else {
            object.require("clusters", " (each cluster's ResourceManagers)")
            return settings
        }
        guard case .array(let elements) = node.value, !elements.isEmpty else {
            reader.report(
                object.childPath("clusters"), node.position,
                "expected a non-empty array of {\"cluster_id\": …, \"resource_managers\": [URL, …]}")
            return settings
        }
        var seen: Set<String> = []
        for (index, element) in elements.enumerated() {
            let path = "yarn.clusters[\(index)]"
            guard let entry = ConfigReader.Object(reader, element, path: path) else { continue }
            let clusterId = entry.string("cluster_id")
            let managers = entry.stringList("resource_managers", allowEmpty: true)
            let auth = element["auth"] == nil ? YarnSettings.Auth.none : entry.enumValue("auth", YarnSettings.Auth.self)
            let kerberos = readKerberos(entry, element, auth: auth, reader)
            entry.require("cluster_id")
            entry.require("resource_managers", " (e.g. [\"http://node-master1:8088\", \"http://node-master2:8088\"])")
            entry.finish()
            if let clusterId, !seen.insert(clusterId).inserted {
                reader.report(entry.childPath("cluster_id"), element["cluster_id"]!.position, "cluster given twice")
            }
            var urls: [String] = []
            if let managers, case .array(let nodes) = element["resource_managers"]?.value {
                if managers.isEmpty, nodes.isEmpty {
                    reader.report(
                        entry.childPath("resource_managers"), element["resource_managers"]!.position,
                        "names no ResourceManager")
                }
                for (index, node) in nodes.enumerated() {
                    guard let url = node.stringValue, managers.contains(url) else { continue }
                    if let problem = resourceManagerProblem(url) {
                        reader.report("\(path).resource_managers[\(index)]", node.position, problem)
                    } else if urls.contains(url) {
                        reader.report("\(path).resource_managers[\(index)]", node.position, "given twice")
                    } else {
                        urls.append(url)
                    }
                }
            }
            if let clusterId, !urls.isEmpty {
                settings.clusters.append(.init(clusterId: clusterId, resourceManagers: urls, kerberos: kerberos))
            }
        }
        return settings
    }

    /// `principal` and `keytab`: both required with `auth: kerberos`, refused without it. `auth` is nil when
    /// its value was refused: reported once, not again at its principal and keytab.
    private static func readKerberos(
        _ entry: ConfigReader.Object, _ element: JSONNode, auth: YarnSettings.Auth?, _ reader: ConfigReader
    ) -> YarnSettings.Kerberos? {
        let principal = entry.string("principal")
        let keytab = entry.string("keytab")
        guard let auth else { return nil }
        guard auth == .kerberos else {
            for key in ["principal", "keytab"] where element[key] != nil {
                reader.report(entry.childPath(key), element[key]!.position, "only with \"auth\": \"kerberos\"")
            }
            return nil
        }
        entry.require("principal", " (auth kerberos: e.g. \"mrs-watchdog@HADOOP.COM\")")
        entry.require("keytab", " (auth kerberos: an absolute path, or a systemd credential's name)")
        if let keytab, keytab.contains("/") && !keytab.hasPrefix("/") || [".", ".."].contains(keytab) {
            reader.report(
                entry.childPath("keytab"), element["keytab"]!.position,
                "expected an absolute path or a systemd credential's name (no '/', not '.' or '..')")
            return nil
        }
        guard let principal, let keytab else { return nil }
        return YarnSettings.Kerberos(principal: principal, keytab: keytab)
    }

    /// Why `url` cannot be a ResourceManager base URL, nil when it can: http(s), a host, no query, fragment or
    /// user info (a password in a config file is a leak).
    static func resourceManagerProblem(_ url: String) -> String? {
        guard let authority = URLAuthority(url), ["http", "https"].contains(authority.scheme.lowercased()) else {
            return "expected an http(s) URL, e.g. http://node-master1:8088"
        }
        if url.contains("?") || url.contains("#") { return "must not have a query or fragment" }
        if url.dropFirst(authority.scheme.count + 3).prefix(while: { $0 != "/" }).contains("@") {
            return "must not hold a user or password"
        }
        return nil
    }
}
