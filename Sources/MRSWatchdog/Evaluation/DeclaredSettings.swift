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
                add(pieces: SecretRedaction.tokenize(text))
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
            for case .string(let token) in elements.map(\.value) { add(pieces: SecretRedaction.tokenize(token)) }
        default:
            break
        }
    }

    /// Tokens as `SecretRedaction` splits them (at spaces, brackets, and commas before a space; a quoted token
    /// whole). A value goes on past a space up to the next comma, bracket, flag or setting, so that
    /// `k=2h 30m` is read whole — and refused — rather than as `2h`.
    private mutating func add(pieces: [(token: String, separator: String)]) {
        var index = 0
        while index < pieces.count {
            var setting = Substring(pieces[index].token.trimming(.quotesAndSpaces))
            var separator = pieces[index].separator
            index += 1
            for prefix in ["--conf=", "-D"] where setting.hasPrefix(prefix) {
                setting = setting.dropFirst(prefix.count)
            }
            guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex else { continue }
            var value = String(setting[setting.index(after: equals)...])
            while index < pieces.count, !separator.isEmpty, separator.allSatisfy({ $0 == " " || $0 == "\t" }),
                !pieces[index].token.hasPrefix("-"), !pieces[index].token.contains("=")
            {
                value += separator + pieces[index].token
                separator = pieces[index].separator
                index += 1
            }
            let key = String(setting[..<equals]).trimming(.quotesAndSpaces)
            values[key, default: []].append(value)
        }
    }
}
