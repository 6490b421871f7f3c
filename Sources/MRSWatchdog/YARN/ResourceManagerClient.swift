import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix

/// Reads one cluster's YARN ResourceManagers, read-only (Hadoop ResourceManager REST API). Redirects are
/// never followed (the shared client disallows them): a standby's redirect could point anywhere, so the
/// active ResourceManager is found by asking each configured one for its `haState`.
public struct ResourceManagerClient: Sendable {
    /// A ResourceManager that could not be read, or none that is active.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// What one ResourceManager said about itself (Cluster Information API, `GET ws/v1/cluster/info`).
    public struct Probe: Sendable, Hashable {
        public var url: String
        /// `clusterInfo.haState` (`ACTIVE`, `STANDBY`, …; a ResourceManager without HA says `ACTIVE`); nil
        /// when the answer could not be read (`failure` says why).
        public var haState: String?
        public var failure: String?
        /// The answer's `Date` header (the ResourceManager host's clock), epoch ms.
        public var dateMillis: Int64?
        /// This host's clock when the answer arrived, epoch ms (to compare `dateMillis` with).
        public var receivedMillis: Int64?
        public var isActive: Bool { failure == nil && haState == "ACTIVE" }
    }

    let http: HTTPClient
    public let source: YarnSettings.Source
    let maxApps: Int
    let timeout: Duration
    /// A cap on an application list: 2 KiB per application at `maxApps` (an entry without its resource
    /// requests is under 1 KiB), at least 1 MiB.
    var maxListBytes: Int { max(1 << 20, maxApps * 2048) }
    /// A cap on the cluster information answer (under 1 KiB).
    static let maxInfoBytes = 64 * 1024

    public init(http: HTTPClient, source: YarnSettings.Source, settings: YarnSettings) {
        self.http = http
        self.source = source
        maxApps = settings.maxApps
        timeout = .milliseconds(settings.requestTimeoutMillis)
    }

    /// Asks every ResourceManager of the cluster for its HA state, side by side.
    public func probe() async -> [Probe] {
        await withTaskGroup(of: (Int, Probe).self) { group in
            for (index, url) in source.resourceManagers.enumerated() {
                group.addTask { (index, await probe(url)) }
            }
            var probes: [(Int, Probe)] = []
            for await probe in group { probes.append(probe) }
            return probes.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    func probe(_ url: String) async -> Probe {
        do {
            let (body, date) = try await get(url, "ws/v1/cluster/info", maxBytes: Self.maxInfoBytes)
            let root = try JSONParser.parse(Array(body.readableBytesView))
            guard let info = root["clusterInfo"], case .object(let members) = info.value else {
                return Probe(url: url, failure: "the answer has no clusterInfo object", dateMillis: date)
            }
            guard members.count(where: { $0.key == "haState" }) == 1, let text = info["haState"]?.stringValue else {
                return Probe(url: url, failure: "clusterInfo has no single haState string", dateMillis: date)
            }
            return Probe(url: url, haState: text, dateMillis: date, receivedMillis: HostClock.nowMillis())
        } catch {
            return Probe(url: url, failure: "\(error)")
        }
    }

    /// The RUNNING and ACCEPTED applications of the active ResourceManager (`probe`, then `active`, then
    /// `runningApps(of:)`).
    /// - Returns: the ResourceManager read, its list, and whether the list reached `maxApps` (more may exist).
    /// - Throws: `Failure` as `active` and `runningApps(of:)` do.
    public func runningApps() async throws(Failure) -> (resourceManager: String, list: YarnAppList, cutOff: Bool) {
        let manager = try Self.active(await probe())
        let (list, cutOff) = try await runningApps(of: manager.url)
        return (manager.url, list, cutOff)
    }

    /// The one ResourceManager that says it is ACTIVE.
    /// - Throws: `Failure` when none does, or more than one (a failover in progress is not guessed between).
    public static func active(_ probes: [Probe]) throws(Failure) -> Probe {
        let active = probes.filter(\.isActive)
        guard active.count == 1, let manager = active.first else {
            let states = probes.map { "\($0.url): \($0.failure ?? $0.haState ?? "?")" }
            let what = active.isEmpty ? "no active ResourceManager" : "more than one ResourceManager says it is active"
            throw Failure(description: "\(what) (\(states.joined(separator: "; ")))")
        }
        return manager
    }

    /// The RUNNING and ACCEPTED applications of the ResourceManager at `url` (Cluster Applications API,
    /// `GET ws/v1/cluster/apps?states=RUNNING,ACCEPTED&limit=maxApps`), and whether the list reached
    /// `maxApps` (more may exist).
    /// - Throws: `Failure` when the answer cannot be read.
    public func runningApps(of url: String) async throws(Failure) -> (list: YarnAppList, cutOff: Bool) {
        do {
            let (body, _) = try await get(
                url, "ws/v1/cluster/apps?states=RUNNING,ACCEPTED&limit=\(maxApps)&deSelects=resourceRequests",
                maxBytes: maxListBytes)
            // Up to tens of MB of JSON: read on NIO's blocking pool, never on the threads the daemon decides on.
            let maxApps = maxApps
            let list = try await NIOThreadPool.singleton.runIfActive {
                try YarnAppList.read(Array(body.readableBytesView), limit: maxApps)
            }
            return (list, list.cutOff || list.apps.count + list.malformed >= maxApps)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "\(url): \(error)")
        }
    }

    /// One GET, with the answer's `Date` (epoch ms); any status but 200 is a failure (a 307 from a standby
    /// included). With Kerberos, a fresh SPNEGO token goes with it.
    func get(_ base: String, _ path: String, maxBytes: Int) async throws -> (ByteBuffer, Int64?) {
        var request = HTTPClientRequest(url: Self.join(base, path))
        request.headers.add(name: "Accept", value: "application/json")
        if let kerberos = source.kerberos, let host = Self.serviceHost(base) {
            request.headers.add(
                name: "Authorization",
                value: try await SpnegoAuthenticator(kerberos).header(host: host, timeout: timeout))
        }
        let (response, body) = try await http.exchange(request, timeout: timeout, maxBodyBytes: maxBytes)
        guard response.status == .ok else {
            var text = "HTTP \(response.status.code) from \(Self.join(base, path))"
            if response.status == .unauthorized {
                text +=
                    source.kerberos.map { ": the ResourceManager refused the Kerberos ticket of \($0.principal)" }
                    ?? ": the ResourceManager wants Kerberos (set \"auth\": \"kerberos\", \"principal\" and \"keytab\")"
            }
            throw Failure(description: text)
        }
        return (body, response.headers.first(name: "Date").flatMap(HTTPDate.parse))
    }

    /// The host a ResourceManager's service principal names (`HTTP/host@REALM`): the URL's, brackets off.
    static func serviceHost(_ url: String) -> String? {
        guard let host = URLAuthority(url)?.host else { return nil }
        return host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : String(host)
    }

    static func join(_ base: String, _ path: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/" + path
    }
}
