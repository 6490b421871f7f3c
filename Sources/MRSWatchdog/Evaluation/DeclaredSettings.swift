/// The `key=value` settings a job carries in its `properties` and `arguments`, each key with every value
/// given for it. Forms: `{k=v, k2=v2}` and JSON text in `properties`; `--conf k=v`, `--conf=k=v` and `-Dk=v`
/// in `arguments` (MRS's `[a, b, c]` string, or a JSON array of strings). Quotes around keys and values are
/// dropped.
struct DeclaredSettings {
    private(set) var values: [String: [String]] = [:]

    init(arguments: String?, properties: String?) {
        for text in [properties, arguments].compactMap({ $0 }) where !text.isEmpty {
            if let node = try? JSONParser.parse(text) {
                add(json: node)
            } else {
                for token in Self.tokens(text) { add(token: token) }
            }
        }
    }

    private mutating func add(json node: JSONNode) {
        switch node.value {
        case .object(let members):
            for member in members {
                switch member.value.value {
                case .string(let text), .number(let text): values[member.key, default: []].append(text)
                default: break
                }
            }
        case .array(let elements):
            for case .string(let token) in elements.map(\.value) { add(token: token) }
        default:
            break
        }
    }

    private mutating func add(token: String) {
        var setting = Substring(token.trimming(.quotesAndSpaces))
        for prefix in ["--conf=", "-D"] where setting.hasPrefix(prefix) {
            setting = setting.dropFirst(prefix.count)
        }
        guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex else { return }
        let key = String(setting[..<equals]).trimming(.quotesAndSpaces)
        values[key, default: []].append(String(setting[setting.index(after: equals)...]))
    }

    /// Split at spaces, commas and brackets.
    static func tokens(_ text: String) -> [String] {
        text.split(whereSeparator: { " \t\r\n,[]{}".contains($0) }).map(String.init)
    }
}
