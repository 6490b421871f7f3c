import ArgumentParser
import MRSWatchdog

/// Turns API and credential failures into one readable line on stderr and exit status 1.
enum CommandErrors {
    static func reporting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MRSError {
            Console.err("error: \(error)")
            if error.retryAdvice == .authBackoff {
                Console.err("hint: check the access key pair and the project id; five failures in a row lock the key for 5 minutes")
            }
            throw ExitCode(1)
        } catch let error as CredentialChain.ResolutionError {
            Console.err("error: credentials: \(error)")
            throw ExitCode(1)
        } catch let error as CommandFailure {
            Console.err("error: \(error)")
            throw ExitCode(1)
        }
    }
}
