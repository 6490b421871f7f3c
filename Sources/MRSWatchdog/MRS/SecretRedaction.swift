/// Hides the values of secret-looking keys in a job's `arguments` and `properties` as soon as they are read
/// from MRS, so nothing the watchdog writes (logs, journal, `jobs --json`, `explain`, notifications, state)
/// can carry them. Huawei's own examples pass `fs.obs.access.key` / `fs.obs.secret.key` there, and the list
/// and show calls return them as submitted (`../shared/docs/mrs-api.md` §11.6).
///
/// Handled forms: `k=v` (also inside `{k=v, k2=v2}` and `[--conf, k=v]`), `-Dk=v`, `--conf k=v`,
/// `"k": "v"` (JSON), and a secret-named flag followed by its value (`--db-password, s3cret`).
public enum SecretRedaction {
    public static let mask = "***"

    /// True for a key that names a secret: `*secret*`, `*password*`, `*passwd*`, `*pwd*`, `*token*`,
    /// `*credential*`, `*access.key*` (also `access_key`, `accesskey`), `*private.key*`, `sk`, `*.sk`, `ak`,
    /// `*.ak`.
    public static func isSecretKey(_ key: some StringProtocol) -> Bool {
        let bare = String(key.drop { "-\"' ".contains($0) }.reversed().drop { "\"' ".contains($0) }.reversed())
        let lower = String(bare.lowercased().map { $0 == "_" || $0 == "-" ? "." : $0 })
        let words = ["secret", "password", "passwd", "pwd", "token", "credential", "private.key", "privatekey"]
        if words.contains(where: lower.contains) { return true }
        return lower.contains("access.key") || lower.contains("accesskey") || ["sk", "ak"].contains(lower)
            || lower.hasSuffix(".sk") || lower.hasSuffix(".ak")
    }

    /// `text` with every secret-looking value replaced by `***`; nil stays nil.
    public static func redact(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return text }
        var out = ""
        var hideNext = false
        for (token, separator) in tokenize(text) {
            if hideNext, !token.isEmpty, !token.hasPrefix("-") {
                out += (token.hasPrefix("\"") ? "\"\(mask)\"" : mask) + separator
                hideNext = false
                continue
            }
            if let equals = token.firstIndex(of: "=") {
                let key = token[..<equals]
                out += (isSecretKey(key.hasPrefix("-D") ? key.dropFirst(2) : key) ? token[...equals] + mask : token)
            } else {
                out += token
                // `--password s3cret` and `"password": "s3cret"`: the next token is the value.
                hideNext =
                    (token.hasPrefix("-") || (token.hasPrefix("\"") && separator.contains(":"))) && isSecretKey(token)
            }
            out += separator
        }
        return out
    }

    /// Tokens split at spaces, commas, brackets and braces (and a colon right after a quoted JSON key), each
    /// with the run of separators after it. A value's own colons (`s3cret:part`) stay inside the token.
    private static func tokenize(_ text: String) -> [(String, String)] {
        let separators: Set<Character> = [" ", ",", "[", "]", "{", "}", "\t", "\n"]
        var pieces: [(String, String)] = []
        var token = ""
        var separator = ""
        for character in text {
            let jsonColon = character == ":" && (token.hasSuffix("\"") || !separator.isEmpty) && token.hasPrefix("\"")
            if separators.contains(character) || jsonColon {
                separator.append(character)
            } else {
                if !separator.isEmpty {
                    pieces.append((token, separator))
                    token = ""
                    separator = ""
                }
                token.append(character)
            }
        }
        pieces.append((token, separator))
        return pieces
    }
}
