/// Why a reloaded config was refused (the file could not be read, or it is invalid); the running config stays.
public struct ConfigReloadFailure: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ error: any Error) {
        description = "\(error)"
    }
}
