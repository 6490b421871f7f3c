/// The config file could not be read at all (missing, unreadable, not UTF-8).
public struct ConfigReadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var reason: String
    public var description: String { "\(file): cannot read config: \(reason)" }
}
