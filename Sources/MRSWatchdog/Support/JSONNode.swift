/// A parsed JSON value that remembers where it was in the text, so errors can say `line:column`.
public struct JSONNode: Sendable, Hashable {
    public indirect enum Value: Sendable, Hashable {
        case null
        case bool(Bool)
        /// The number's literal text, so integers beyond Double's precision are not rounded.
        case number(String)
        case string(String)
        case array([JSONNode])
        /// Members in file order; duplicates are kept so validation can report them.
        case object([Member])
    }

    public struct Member: Sendable, Hashable {
        public var key: String
        public var keyPosition: TextPosition
        public var value: JSONNode
    }

    public var value: Value
    public var position: TextPosition

    /// The member value for `key` (the last one if the key is duplicated), for objects only.
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.last { $0.key == key }?.value
    }

    public var stringValue: String? {
        if case .string(let text) = value { return text }
        return nil
    }

    public var kindName: String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A 1-based line and column (columns count Unicode scalars).
public struct TextPosition: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column)" }
}
