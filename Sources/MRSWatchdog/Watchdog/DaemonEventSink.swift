import Logging

/// Where daemon events go.
public protocol DaemonEventSink: Sendable {
    func emit(_ event: DaemonEvent)
}
