/// One problem in a config file, located by JSON path and line:column.
public struct ConfigIssue: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// e.g. `rules[2].max_runtime`; empty for the document itself.
    public var path: String
    public var position: TextPosition
    public var message: String

    /// `file:line:col: path: message`, with invisible characters (a BOM, a no-break space) spelled out.
    public var description: String {
        VisibleText.escape("\(file):\(position): \(path.isEmpty ? "" : path + ": ")\(message)")
    }
}

/// Every problem found in a config file; the file is rejected as a whole.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [ConfigIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// The config file could not be read at all (missing, unreadable, not UTF-8).
public struct ConfigReadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var reason: String
    public var description: String { "\(file): cannot read config: \(reason)" }
}
