import Foundation
import Testing

/// One of the package's executables run as a child process, with its output captured.
final class ChildProcess: @unchecked Sendable {
    struct Finished: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    /// Executables are built next to the test bundle (`swift build --build-tests` builds them all).
    static func productPath(_ name: String) throws -> String {
        let bundle = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let path = URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent(name).path
        try #require(FileManager.default.isExecutableFile(atPath: path), "\(name) is not built at \(path)")
        return path
    }

    /// The environment a child gets: PATH only, so nothing of the developer's credentials leaks in.
    static func cleanEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent"].merging(extra) { $1 }
    }

    let process = Process()
    private let stdoutFile: URL
    private let stderrFile: URL

    /// Starts `name` (one of the package's executables, or an absolute path) with `arguments`; output goes to temporary files read by `output()`.
    init(_ name: String, _ arguments: [String], environment: [String: String] = cleanEnvironment()) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        stdoutFile = scratch.appendingPathComponent("stdout")
        stderrFile = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: name.hasPrefix("/") ? name : try Self.productPath(name))
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
    }

    /// Runs to completion, killing the child if it outlives `timeout`.
    static func run(
        _ name: String, _ arguments: [String], environment: [String: String] = cleanEnvironment(),
        timeout: Duration = .seconds(60)
    ) async throws -> Finished {
        let child = try ChildProcess(name, arguments, environment: environment)
        return try await child.wait(timeout: timeout)
    }

    var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the child to exit; after `timeout` it is killed and the test fails.
    func wait(timeout: Duration) async throws -> Finished {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                signal(SIGKILL)
                process.waitUntilExit()
                Issue.record(
                    "child \(process.executableURL?.lastPathComponent ?? "?") still running after \(timeout); killed. stderr: \(stderr)"
                )
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        return Finished(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// Waits until the child's stderr or stdout contains `text`.
    func waitForOutput(_ text: String, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !(stdout + stderr).contains(text) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                throw ChildProcessError(description: "never printed \"\(text)\"; stderr: \(stderr)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

struct ChildProcessError: Error, CustomStringConvertible {
    var description: String
}
