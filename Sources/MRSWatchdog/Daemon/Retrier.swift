/// Re-runs a read when MRS says a retry makes sense (transport errors, 429, 5xx), with jittered
/// exponential backoff that honours `Retry-After`. Never used for kills: a kill is re-sent only after the
/// job has been read again.
public struct Retrier: Sendable {
    public var attempts: Int
    public var backoff: Backoff
    let sleep: @Sendable (Duration) async throws -> Void

    public init(
        attempts: Int, backoff: Backoff,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
    }

    /// One attempt, no retries (read-only commands report the first failure).
    public static let once = Retrier(attempts: 1, backoff: Backoff(base: .zero, cap: .zero))

    public func run<T>(
        isolation: isolated (any Actor)? = #isolation, _ operation: () async throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch let error as HuaweiCloudError where error.retryAdvice == .retry && attempt + 1 < attempts {
                try await sleep(
                    backoff.delay(
                        attempt: attempt, draw: Double.random(in: 0..<1), retryAfterSeconds: error.retryAfterSeconds))
                attempt += 1
            }
        }
    }
}
