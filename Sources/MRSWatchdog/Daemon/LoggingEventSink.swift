import Logging

/// Daemon events as swift-log lines: decisions with their key facts as metadata, status at debug level.
public struct LoggingEventSink: DaemonEventSink {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func emit(_ event: DaemonEvent) {
        switch event {
        case .decision(let record):
            let level: Logger.Level
            switch record.action {
            case .kill, .killRetried, .killConfirmed, .warn, .gone: level = .notice
            case .killFailed, .unkillable: level = .error
            case .wouldKill, .skipped, .deferred, .held: level = .info
            }
            logger.log(level: level, "\(record.summary)")
        case .ready(let status):
            logger.notice("ready: \(status.text)")
        case .progress(let status):
            logger.debug("\(status.text)")
        case .notice(let severity, let text):
            logger.log(level: severity == .error ? .error : severity == .warning ? .warning : .info, "\(text)")
        case .reloading:
            logger.info("reloading the config")
        case .reloaded(let status, let failure):
            if let failure {
                logger.error("reload refused, keeping the previous rules: \(failure)")
            } else {
                logger.notice("reloaded: \(status.text)")
            }
        case .stopping:
            logger.notice("stopping")
        }
    }
}
