/// Hands every event to several sinks in order (log lines, systemd, …).
public struct FanOutEventSink: DaemonEventSink {
    let sinks: [any DaemonEventSink]

    public init(_ sinks: [any DaemonEventSink]) {
        self.sinks = sinks
    }

    public func emit(_ event: DaemonEvent) {
        for sink in sinks { sink.emit(event) }
    }
}
