import Foundation

/// A throwaway Kerberos realm for one test: MIT krb5's KDC (Debian's krb5-kdc) on a free loopback port, with
/// the client principal `mrs-watchdog` and the service principal `HTTP/127.0.0.1`, each with its keytab, and
/// a krb5.conf that names them (`KRB5_CONFIG`). Made with kdb5_util and kadmin.local (krb5-admin-server).
struct KerberosRealm {
    static let realm = "MRSW.TEST"
    static let principal = "mrs-watchdog@\(realm)"
    static let tools = ["/usr/sbin/krb5kdc", "/usr/sbin/kdb5_util", "/usr/sbin/kadmin.local"]

    let directory: String
    /// The krb5.conf naming the realm and its KDC: `KRB5_CONFIG` for every process of the test.
    var config: String { directory + "/krb5.conf" }
    var clientKeytab: String { directory + "/client.keytab" }
    var serviceKeytab: String { directory + "/http.keytab" }
    var environment: [String: String] { ["KRB5_CONFIG": config] }

    /// Why the realm cannot be made here, nil when it can. Found once: it waits for a child process, which
    /// would hold a cooperative thread each time it were asked.
    static let unavailable: String? = {
        if let missing = tools.first(where: { !FileManager.default.isExecutableFile(atPath: $0) }) {
            return "\(missing) is missing (apt-get install krb5-kdc krb5-admin-server)"
        }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = ["-c", "import gssapi"]
        python.standardError = FileHandle.nullDevice
        guard (try? python.run()) != nil else { return "python3 is missing" }
        python.waitUntilExit()
        return python.terminationStatus == 0
            ? nil : "python3's gssapi module is missing (apt-get install python3-gssapi)"
    }()

    /// Makes the realm, runs its KDC for the duration of `body`, then stops it.
    static func run<T>(_ body: (KerberosRealm) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("krb-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let realm = KerberosRealm(directory: directory)
        let port = try freePort()
        try """
        [libdefaults]
          default_realm = \(Self.realm)
          dns_lookup_kdc = false
          dns_lookup_realm = false
          rdns = false
          dns_canonicalize_hostname = false
          udp_preference_limit = 1
        [realms]
          \(Self.realm) = {
            kdc = 127.0.0.1:\(port)
          }
        [domain_realm]
          127.0.0.1 = \(Self.realm)
        """.write(toFile: realm.config, atomically: true, encoding: .utf8)
        try """
        [kdcdefaults]
          kdc_ports = \(port)
          kdc_tcp_ports = \(port)
        [realms]
          \(Self.realm) = {
            database_name = \(directory)/principal
            key_stash_file = \(directory)/stash
            acl_file = \(directory)/kadm5.acl
          }
        [logging]
          kdc = FILE:\(directory)/kdc.log
        """.write(toFile: directory + "/kdc.conf", atomically: true, encoding: .utf8)
        let environment = ChildProcess.cleanEnvironment(
            realm.environment.merging(["KRB5_KDC_PROFILE": directory + "/kdc.conf"]) { $1 })
        try await realm.admin(
            "/usr/sbin/kdb5_util", ["create", "-s", "-r", Self.realm, "-P", "master-\(UUID())"], environment)
        for (principal, keytab) in [
            ("HTTP/127.0.0.1@\(Self.realm)", realm.serviceKeytab), (Self.principal, realm.clientKeytab),
        ] {
            try await realm.admin(
                "/usr/sbin/kadmin.local", ["-r", Self.realm, "-q", "addprinc -randkey \(principal)"], environment)
            try await realm.admin(
                "/usr/sbin/kadmin.local", ["-r", Self.realm, "-q", "ktadd -k \(keytab) \(principal)"], environment)
        }
        let kdc = try ChildProcess("/usr/sbin/krb5kdc", ["-n", "-P", directory + "/kdc.pid"], environment: environment)
        // SIGKILL: a child may inherit a mask that blocks SIGTERM, and nothing of the realm is kept.
        func stop() async {
            kdc.signal(SIGKILL)
            _ = try? await kdc.wait(timeout: .seconds(5))
        }
        do {
            try await kdc.waitForOutput("starting")
            let result = try await body(realm)
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }

    private func admin(_ tool: String, _ arguments: [String], _ environment: [String: String]) async throws {
        let result = try await ChildProcess.run(tool, arguments, environment: environment)
        guard result.status == 0 else {
            throw ChildProcessError(description: "\(tool) \(arguments.joined(separator: " ")): \(result.output)")
        }
    }

    /// A loopback port free for both TCP and UDP (the KDC takes both a moment later).
    private static func freePort() throws -> Int {
        for _ in 0..<20 {
            let port = try bound(SOCK_STREAM, port: 0)
            if (try? bound(SOCK_DGRAM, port: port)) != nil { return port }
        }
        throw POSIXError(.EADDRINUSE)
    }

    /// Binds a socket of `type` to 127.0.0.1:`port` (0: any), returns the port and releases it.
    private static func bound(_ type: __socket_type, port: Int) throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(type.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
