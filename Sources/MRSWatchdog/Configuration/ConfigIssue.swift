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
