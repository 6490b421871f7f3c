import AsyncHTTPClient
import Logging
import NIOCore

extension HTTPClient {
    /// Sends `request` and reads its whole body within `timeout`: connection, head and body together, so a
    /// server that sends its body a byte at a time holds the caller no longer than that (async-http-client's
    /// own timeout ends when the head arrives).
    /// - Parameter onHead: called as the response head arrives, before the body is read (the `Date` header
    ///   is the server's time then, not once a large body has been read).
    /// - Returns: the response head and at most `maxBodyBytes` of body.
    /// - Throws: `HTTPClientError.deadlineExceeded` when `timeout` runs out, `NIOTooManyBytesError` over
    ///   `maxBodyBytes`, and whatever async-http-client throws.
    package func exchange(
        _ request: HTTPClientRequest, timeout: Duration, maxBodyBytes: Int, logger: Logger? = nil,
        onHead: @escaping @Sendable (HTTPClientResponse) -> Void = { _ in }
    ) async throws -> (response: HTTPClientResponse, body: ByteBuffer) {
        try await withThrowingTaskGroup(of: (HTTPClientResponse, ByteBuffer)?.self) { group in
            group.addTask {
                let response = try await self.execute(
                    request, timeout: .nanoseconds(timeout.nanoseconds), logger: logger)
                onHead(response)
                return (response, try await response.body.collect(upTo: maxBodyBytes))
            }
            group.addTask {
                try await _Concurrency.Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let answer = first else {
                throw HTTPClientError.deadlineExceeded
            }
            return answer
        }
    }
}
