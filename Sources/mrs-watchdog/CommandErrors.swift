import ArgumentParser
import MRSWatchdog

#if canImport(Glibc)
    import Glibc
#endif

/// Turns API and credential failures into one readable line on stderr and exit status 1.
enum CommandErrors {
    /// - Parameter onFailure: told the message and an errno-style code before the exit (systemd's `ERRNO=`).
    static func reporting<T>(
        onFailure: (String, Int32) -> Void = { _, _ in }, _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch let error as HuaweiCloudError {
            Console.err("error: \(error)")
            if error.retryAdvice == .authBackoff {
                Console.err("hint: \(HuaweiCloudError.authFailureAdvice)")
            }
            onFailure("\(error)", error.retryAdvice == .authBackoff ? EACCES : EIO)
            throw ExitCode(1)
        } catch let error as CredentialChain.ResolutionError {
            Console.err("error: credentials: \(error)")
            onFailure("credentials: \(error)", ENOKEY)
            throw ExitCode(1)
        } catch let error as CommandFailure {
            Console.err("error: \(error)")
            onFailure("\(error)", EINVAL)
            throw ExitCode(1)
        }
    }
}
