#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `state.json`, the state file of version 0.1 (pretty JSON, rewritten whole on every change): read once to
/// import it into the database, then renamed `state.json.imported`.
struct LegacyStateFile: Decodable {
    var version: Int
    /// `cluster/job` → server time of the warning.
    var warned: [String: Int64]
    /// `cluster/job` → kill record.
    var kills: [String: KillRecord]
    var killTimes: [Int64]

    enum CodingKeys: String, CodingKey {
        case version, warned, kills
        case killTimes = "kill_times"
    }

    /// The file's state.
    /// - Throws: `StateFileError` when it is not a version 1 state file.
    static func read(_ data: Data) throws -> WatchdogState {
        let file: LegacyStateFile
        do {
            file = try JSONDecoder().decode(LegacyStateFile.self, from: data)
        } catch {
            throw StateFileError("not a state file (\(describe(error)))")
        }
        guard file.version == 1 else { throw StateFileError("unsupported version \(file.version)") }
        var warned: [JobKey: Int64] = [:]
        for (key, at) in file.warned {
            // Cluster ids have no "/", job ids may.
            guard let slash = key.firstIndex(of: "/") else {
                throw StateFileError("warned key '\(key)' is not cluster/job")
            }
            warned[JobKey(clusterId: String(key[..<slash]), jobId: String(key[key.index(after: slash)...]))] = at
        }
        let kills = Dictionary(file.kills.values.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        return WatchdogState(warned: warned, kills: kills, killTimes: file.killTimes)
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error { return context.debugDescription }
        if case DecodingError.keyNotFound(let key, _) = error { return "missing \(key.stringValue)" }
        if case DecodingError.typeMismatch(_, let context) = error {
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        }
        return "\(error)"
    }
}

struct StateFileError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
