/// Tag selectors: every key must be present, with the given value or any value for `"*"`.
public enum TagSelector {
    public static func matches(_ tags: [String: String], _ selector: [String: String]) -> Bool {
        selector.allSatisfy { key, value in
            guard let actual = tags[key] else { return false }
            return value == "*" || actual == value
        }
    }
}
