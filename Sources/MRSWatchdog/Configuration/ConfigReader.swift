/// Walks a parsed config document, reading typed values and collecting every problem instead of stopping
/// at the first. Keys not read from an object are reported as unknown, with a "did you mean" for near misses.
final class ConfigReader {
    let file: String
    private(set) var issues: [ConfigIssue] = []

    init(file: String) {
        self.file = file
    }

    func report(_ path: String, _ position: TextPosition, _ message: String) {
        issues.append(ConfigIssue(file: file, path: path, position: position, message: message))
    }

    /// An object being read: tracks which keys were consumed.
    final class Object {
        let reader: ConfigReader
        let node: JSONNode
        let path: String
        let members: [JSONNode.Member]
        private var known: [String] = []

        init?(_ reader: ConfigReader, _ node: JSONNode, path: String) {
            guard case .object(let members) = node.value else {
                reader.report(path, node.position, "expected an object, found \(node.kindName)")
                return nil
            }
            self.reader = reader
            self.node = node
            self.path = path
            self.members = members
            var seen: Set<String> = []
            for member in members where !seen.insert(member.key).inserted {
                reader.report(childPath(member.key), member.keyPosition, "duplicate key '\(member.key)'")
            }
        }

        func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        /// The value for `key`, marking the key as known; nil (and no issue) when absent.
        func value(_ key: String) -> JSONNode? {
            known.append(key)
            return node[key]
        }

        /// - Parameter prose: free text (a description, a reason), which may hold any character; other strings
        ///   (names, ids, URLs, times) are refused when they hold one nobody can see.
        func string(_ key: String, nonEmpty: Bool = true, prose: Bool = false) -> String? {
            guard let value = value(key) else { return nil }
            guard case .string(let text) = value.value else {
                reader.report(childPath(key), value.position, "expected a string, found \(value.kindName)")
                return nil
            }
            if nonEmpty, text.trimmingSpaces().isEmpty {
                reader.report(childPath(key), value.position, "must not be empty")
                return nil
            }
            if !prose, let problem = Self.invisible(text) {
                reader.report(childPath(key), value.position, problem)
                return nil
            }
            return text
        }

        /// Why `text` cannot be compared with what MRS sends: it holds a character nobody can see.
        static func invisible(_ text: String) -> String? {
            guard let scalar = text.unicodeScalars.first(where: { !VisibleText.isVisible($0) }) else { return nil }
            return "'\(text)' contains \(VisibleText.describe(scalar)), which no MRS value has; retype it"
        }

        func stringList(_ key: String, allowEmpty: Bool = false) -> [String]? {
            guard let value = value(key) else { return nil }
            guard case .array(let elements) = value.value else {
                // A single string is a common slip; say what shape is wanted.
                reader.report(childPath(key), value.position, "expected an array of strings, found \(value.kindName)")
                return nil
            }
            var out: [String] = []
            for (index, element) in elements.enumerated() {
                guard case .string(let text) = element.value, !text.isEmpty else {
                    reader.report(
                        "\(childPath(key))[\(index)]", element.position,
                        "expected a non-empty string, found \(element.kindName)")
                    continue
                }
                if let problem = Self.invisible(text) {
                    reader.report("\(childPath(key))[\(index)]", element.position, problem)
                    continue
                }
                out.append(text)
            }
            if elements.isEmpty, !allowEmpty {
                reader.report(
                    childPath(key), value.position, "empty list matches nothing; remove the key to match everything")
            }
            return out
        }

        /// A cluster tag selector: every key must be present, with the given value or any value for `"*"`.
        /// Keys and values are checked against what MRS allows in a tag, so none silently never matches.
        func tagSelector(_ key: String) -> [String: String]? {
            guard let value = value(key) else { return nil }
            guard case .object(let members) = value.value else {
                reader.report(childPath(key), value.position, "expected an object of strings, found \(value.kindName)")
                return nil
            }
            var out: [String: String] = [:]
            for member in members {
                let path = "\(childPath(key)).\(member.key)"
                guard case .string(let text) = member.value.value else {
                    reader.report(path, member.value.position, "expected a string, found \(member.value.kindName)")
                    continue
                }
                if out[member.key] != nil {
                    reader.report(path, member.keyPosition, "duplicate key '\(member.key)'")
                }
                if let problem = Cluster.tagProblem(key: member.key, value: text) {
                    reader.report(path, member.value.position, problem)
                    continue
                }
                out[member.key] = text
            }
            return out
        }

        /// A list of names from a fixed set, compared case-insensitively (MRS job types).
        func choiceList(_ key: String, among allowed: [String], what: String) -> [String]? {
            mapList(key) { text in
                if allowed.contains(where: { $0.caseInsensitiveEquals(text) }) { return .success(text) }
                return .failure(
                    "'\(text)' is not \(what): \(allowed.joined(separator: ", "))\(Suggestion.hint(for: text, among: allowed))"
                )
            }
        }

        func bool(_ key: String) -> Bool? {
            guard let value = value(key) else { return nil }
            guard case .bool(let flag) = value.value else {
                reader.report(childPath(key), value.position, "expected true or false, found \(value.kindName)")
                return nil
            }
            return flag
        }

        func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
            guard let value = value(key) else { return nil }
            guard case .number(let text) = value.value, let number = Int(text) else {
                reader.report(childPath(key), value.position, "expected a whole number, found \(describe(value))")
                return nil
            }
            guard range.contains(number) else {
                reader.report(
                    childPath(key), value.position, "must be between \(range.lowerBound) and \(range.upperBound)")
                return nil
            }
            return number
        }

        /// A number by its literal (`2.5`), anything else by its kind.
        private func describe(_ node: JSONNode) -> String {
            if case .number(let text) = node.value { return text }
            return node.kindName
        }

        func duration(_ key: String) -> Int64? {
            guard let value = value(key) else { return nil }
            guard case .string(let text) = value.value else {
                reader.report(
                    childPath(key), value.position,
                    "expected a duration string like \"90s\", \"45m\", \"2h30m\", \"1d\", found \(value.kindName)")
                return nil
            }
            do {
                return try DurationText.parseMillis(text)
            } catch {
                reader.report(childPath(key), value.position, error.description)
                return nil
            }
        }

        func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) -> E?
        where E.RawValue == String {
            guard let text = string(key) else { return nil }
            guard let parsed = E(rawValue: text) else {
                reader.report(childPath(key), node[key]!.position, Self.notOneOf(text, E.allCases.map(\.rawValue)))
                return nil
            }
            return parsed
        }

        /// `'x' is not one of a, b, c (did you mean 'a'?)`.
        static func notOneOf(_ text: String, _ allowed: [String]) -> String {
            "'\(text)' is not one of \(allowed.joined(separator: ", "))\(Suggestion.hint(for: text, among: allowed))"
        }

        /// A list of enum values, each problem reported at its own element.
        func enumList<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) -> [E]?
        where E.RawValue == String {
            let allowed = E.allCases.map(\.rawValue)
            return mapList(key) { text in
                if let parsed = E(rawValue: text) { return .success(parsed) }
                return .failure("\(Self.notOneOf(text, allowed))")
            }
        }

        /// A list of local dates, `YYYY-MM-DD`, each checked at its own element.
        func dateList(_ key: String) -> [String]? {
            mapList(key) { text in
                guard text.count == 10, let millis = RFC3339.parse(text + "T00:00:00Z"),
                    RFC3339.format(epochMillis: millis).hasPrefix(text)
                else { return .failure("'\(text)' is not a date (YYYY-MM-DD)") }
                return .success(text)
            }
        }

        /// A list of shell globs (`Glob`), each compiled at its own element. With `alphabet`, a pattern that no
        /// string of those characters can match (`etl.daily` for a job name) is refused as well.
        func globList(_ key: String, alphabet: (characters: [Unicode.Scalar], name: String)? = nil) -> [Glob]? {
            mapList(key) { text in
                let glob: Glob
                do throws(Glob.SyntaxError) {
                    glob = try Glob(text)
                } catch {
                    return .failure("'\(text)': \(error.description)")
                }
                if let alphabet, let part = glob.firstImpossiblePart(allowed: alphabet.characters) {
                    return .failure("'\(text)' can never match \(alphabet.name): \(part) is not allowed there")
                }
                return .success(glob)
            }
        }

        /// A list of non-empty strings, each turned into a value by `transform` or reported at its own element.
        private func mapList<T>(_ key: String, _ transform: (String) -> Result<T, ListElementError>) -> [T]? {
            guard let texts = stringList(key), case .array(let elements) = node[key]?.value else { return nil }
            var out: [T] = []
            for (index, element) in elements.enumerated() {
                guard case .string(let text) = element.value, !text.isEmpty else { continue }
                switch transform(text) {
                case .success(let value): out.append(value)
                case .failure(let error): reader.report("\(childPath(key))[\(index)]", element.position, error.message)
                }
            }
            return texts.isEmpty ? [] : out
        }

        func object(_ key: String) -> Object? {
            guard let value = value(key) else { return nil }
            return Object(reader, value, path: childPath(key))
        }

        /// Reports `missing required key 'key'` (and `hint`) at this object when it has no `key`.
        func require(_ key: String, _ hint: String = "") {
            if node[key] == nil { reader.report(path, node.position, "missing required key '\(key)'\(hint)") }
        }

        /// Reports every key that was never read.
        func finish() {
            for member in members where !known.contains(member.key) {
                let hint = Suggestion.closest(to: member.key, among: known).map { "; did you mean '\($0)'?" } ?? ""
                reader.report(childPath(member.key), member.keyPosition, "unknown key '\(member.key)'\(hint)")
            }
        }
    }
}

/// Why one element of a list was refused (the message `check` prints at that element).
struct ListElementError: Error, ExpressibleByStringInterpolation {
    var message: String
    init(stringLiteral value: String) { message = value }
}
