#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The figures in kB of a process's `/proc/PID/status` (Linux proc(5)): `VmRSS`, `VmHWM`, `RssFile`,
/// `RssAnon`, …, KiB.
package enum ProcessStatus {
    /// Field name → value, KiB; nil when the file cannot be read (the process is gone).
    /// - Parameter pid: a process id, or `self`.
    package static func kib(pid: String = "self") -> [String: Int]? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var fields: [String: Int] = [:]
        // "VmRSS:\t   38896 kB": the name, its colon, then the number.
        for line in status.split(separator: "\n") {
            let parts = line.split { $0 == " " || $0 == "\t" }
            if parts.count >= 2, parts[0].hasSuffix(":"), let kib = Int(parts[1]) {
                fields[String(parts[0].dropLast())] = kib
            }
        }
        return fields
    }
}
