/// Hides the values of secret-looking keys in a job's `arguments` and `properties` as soon as they are read
/// from MRS, so nothing the watchdog writes (logs, journal, `jobs --json`, `explain`, notifications, state)
/// can carry them. Huawei's own examples pass `fs.obs.access.key` / `fs.obs.secret.key` there, and the list
/// and show calls return them as submitted (`../shared/docs/mrs-api.md` §11.6).
///
/// By structure first: JSON text (an object, or an array of arguments) is read with a real JSON parser and
/// every value under a secret key, and the value after a secret-named flag, is masked in place (the rest
/// kept byte for byte); Java's collection text (`[a, b]`, `{k=v, k2=v2}`) is split into its elements, a
/// secret key's whole value masked; a document inside other text (`--conf-json {"k":"v"}`) is read the same
/// way. The strings that remain are read as tokens, for settings inside them (`"-Dfs.obs.secret.key=…"`):
/// `k=v` anywhere in a token (`--conf=k=v`, `-Dk=v`, `opts=-Dk=v`, `url?user=u&password=p`), `k = v`,
/// `k: v`, a secret-named flag and its value up to the next `, ` or line (`--db-password my pass`), and the
/// password in a URL's user info (`scheme://user:pass@host`). Text whose brackets or quotes do not balance,
/// or that looks like JSON but is not, cannot be read safely: none of it is kept
/// (`<unparsed, 4 KB withheld>`). When in doubt it masks more, never less.
public enum SecretRedaction {
    public static let mask = "***"

    /// True for a key that names a secret: `*secret*`, `*password*`, `*passwd*`, `*pwd*`, `*token*`,
    /// `*credential*`, `*access.key*` (also `access_key`, `accesskey`), `*private.key*`, `*api.key*`,
    /// `*authorization*`, `*bearer*`, `*signature*`, `*passphrase*`, `*account.key*` (Azure's
    /// `fs.azure.account.key.*`), `*encryption.key*` (OBS's and S3A's customer-provided keys), `sk`, `*.sk`,
    /// `ak`, `*.ak`, `pass`, `*.pass` (`DB_PASS`).
    public static func isSecretKey(_ key: some StringProtocol) -> Bool {
        let bare = String(key.drop { "-\"' ".contains($0) }.reversed().drop { "\"' :".contains($0) }.reversed())
        let lower = String(bare.lowercased().map { $0 == "_" || $0 == "-" ? "." : $0 })
        if secretWords.contains(where: lower.contains) { return true }
        return ["sk", "ak", "pass"].contains(lower) || [".sk", ".ak", ".pass"].contains(where: lower.hasSuffix)
    }

    /// Lowercase, `_` and `-` read as `.`.
    static let secretWords = [
        "secret", "password", "passwd", "pwd", "token", "credential", "private.key", "privatekey", "access.key",
        "accesskey", "api.key", "apikey", "authorization", "bearer", "signature", "passphrase", "account.key",
        "accountkey", "encryption.key", "encryptionkey",
    ]

    /// `text` with every secret-looking value replaced by `***`; nil stays nil.
    public static func redact(_ text: String?) -> String? {
        guard let text, !text.isEmpty, mayHoldSecret(text) else { return text }
        let start = text.utf8.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if start == UInt8(ascii: "{") || start == UInt8(ascii: "[") {
            if let masked = JSONMask.masked(text) { return masked }
            // `{"` or `["` promise JSON: read as tokens, a broken document could hide a value from them.
            let second = text.utf8.drop { $0 != start! }.dropFirst().first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
            if second == UInt8(ascii: "\"") { return withheld(text) }
            return CollectionTextMask.masked(text) ?? withheld(text)
        }
        return redactValue(text)
    }

    /// One value's text (a JSON string, a property's value, an element): a document or collection inside it
    /// read by structure, the text around it as tokens.
    static func redactValue(_ text: String) -> String {
        guard !text.isEmpty, mayHoldSecret(text) else { return text }
        let characters = Array(text)
        let groupStart = characters.indices.first { index in
            (characters[index] == "{" || characters[index] == "[")
                && (index == 0 || characters[index - 1].isWhitespace || characters[index - 1] == "=")
        }
        if let open = groupStart {
            guard let close = CollectionTextMask.groupEnd(characters, from: open) else { return withheld(text) }
            let before = String(characters[..<open])
            let group = String(characters[open...close])
            let masked = endsWithSecretKey(before) ? mask : redact(group) ?? group
            return redactValue(before) + masked + redactValue(String(characters[(close + 1)...]))
        }
        if text.utf8.count(where: { $0 == UInt8(ascii: "\"") }) % 2 == 1 { return withheld(text) }
        return redactTokens(text)
    }

    /// True when `text` ends with a secret-named flag, `key=` or `key:` whose value is what follows.
    private static func endsWithSecretKey(_ text: String) -> Bool {
        guard let word = text.split(whereSeparator: \.isWhitespace).last else { return false }
        let isKey = word.hasSuffix("=") || word.hasSuffix(":")
        guard isKey || word.hasPrefix("-") && text.last!.isWhitespace else { return false }
        let key = word.dropLast(isKey ? 1 : 0).split(separator: "=").last ?? ""
        return isSecretKey(key.hasPrefix("-D") ? key.dropFirst(2) : key)
    }

    /// What is shown of a text that cannot be read safely: its size only.
    static func withheld(_ text: String) -> String {
        "<unparsed, \(max(1, (text.utf8.count + 1023) / 1024)) KB withheld>"
    }

    /// The tokenizer's pass over `text` (what `redact` does when `mayHoldSecret` cannot rule secrets out).
    static func redactTokens(_ text: String) -> String {
        enum Hide { case no, next, field }
        var hide = Hide.no
        var previousWasSecretKey = false
        var out = ""
        for (token, separator) in tokenize(maskSlashLogins(maskUserInfo(text))) {
            defer { out += separator }
            if hide != .no, !token.isEmpty {
                out += masked(token)
                // A flag's value runs to the next `, `, bracket or line: `--password my pass`.
                if hide == .next || separator.contains(where: ",[]{}\n\r".contains) { hide = .no }
                continue
            }
            let bare = token.trimmingCharacters(quotes: true)
            if token == "=" {
                out += token
                hide = previousWasSecretKey ? .field : .no
                continue
            }
            if token.hasPrefix("="), previousWasSecretKey {
                out += "=" + mask
                previousWasSecretKey = false
                continue
            }
            var secretAssignmentOpen = false
            out += maskAssignments(token, valueFollows: &secretAssignmentOpen)
            previousWasSecretKey = !token.contains("=") && isSecretKey(bare)
            if secretAssignmentOpen {
                hide = .field  // `k= my value`
            } else if !token.contains("="), isSecretKey(bare) {
                if bare.hasPrefix("-") || bare.hasSuffix(":") {
                    hide = .field  // `--password my value`, `password: my value`
                } else if (token.first == "\"" || token.first == "'") && separator.contains(":") {
                    hide = .next  // `"password": "x"`
                }
            }
        }
        return out
    }

    /// The secret words' bytes end to end, where each one lies in them, and a bit per letter that starts one
    /// (`a` is bit 0): `mayHoldSecret` runs on every listed job's arguments and properties, and walking an
    /// array of arrays cost a retain per word per byte (a quarter of reading a job list page).
    private static let secretWordBytes = secretWords.flatMap(\.utf8)
    private static let secretWordRanges = secretWords.reduce(into: [Range<Int>]()) { ranges, word in
        let start = ranges.last?.upperBound ?? 0
        ranges.append(start..<start + word.utf8.count)
    }
    private static let secretWordStarts = secretWords.reduce(UInt32(0)) { $0 | 1 << ($1.utf8.first! - 0x61) }

    /// False only when no key in `text` can be a secret one and there is no user info: no secret word, no
    /// `sk`/`ak` ending a word, no `@`, ASCII only (other scripts have letters that lowercase to ASCII). Most
    /// arguments pass this one scan of their bytes and are returned as they are, without the tokenizer.
    static func mayHoldSecret(_ text: String) -> Bool {
        var text = text
        let (words, ranges) = (secretWordBytes, secretWordRanges)
        return text.withUTF8 { bytes in
            // Lowercase, `_` and `-` read as `.`, as `isSecretKey` compares.
            func folded(_ index: Int) -> UInt8 {
                let byte = bytes[index]
                if (0x41...0x5A).contains(byte) { return byte | 0x20 }
                return byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") ? UInt8(ascii: ".") : byte
            }
            func isWordByte(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte) }
            for index in bytes.indices {
                let byte = folded(index)
                if bytes[index] >= 0x80 || byte == UInt8(ascii: "@") { return true }
                let endsWord = index + 1 == bytes.count || !isWordByte(folded(index + 1))
                // `sk` or `ak` that ends a word.
                if byte == UInt8(ascii: "k"), index > 0,
                    folded(index - 1) == UInt8(ascii: "s") || folded(index - 1) == UInt8(ascii: "a"), endsWord
                {
                    return true
                }
                // `pass` that ends a word.
                if byte == UInt8(ascii: "s"), index >= 3, endsWord, folded(index - 1) == UInt8(ascii: "s"),
                    folded(index - 2) == UInt8(ascii: "a"), folded(index - 3) == UInt8(ascii: "p")
                {
                    return true
                }
                guard (0x61...0x7A).contains(byte), secretWordStarts & 1 << (byte - 0x61) != 0 else { continue }
                for range in ranges where words[range.lowerBound] == byte {
                    guard index + range.count <= bytes.count else { continue }
                    if (1..<range.count).allSatisfy({ folded(index + $0) == words[range.lowerBound + $0] }) {
                        return true
                    }
                }
            }
            return false
        }
    }

    /// Every `key=value` inside a token, keys read back to the previous `=`, `&`, `?` or `;` (so
    /// `--conf=k=v`, `opts=-Dk=v` and `?user=u&password=p` are all seen); a secret value runs to the next `&`
    /// or `;`. `valueFollows` is set when a secret key ends the token with `=` and nothing after it.
    private static func maskAssignments(_ token: String, valueFollows: inout Bool) -> String {
        let characters = Array(token)
        var out = ""
        var keyStart = 0
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "=" {
                var key = String(characters[keyStart..<index])
                if key.hasPrefix("-D") { key.removeFirst(2) }
                out.append(character)
                index += 1
                if isSecretKey(key) {
                    let end = characters[index...].firstIndex { $0 == "&" || $0 == ";" } ?? characters.count
                    if end == index, end == characters.count { valueFollows = true }
                    if end > index {
                        out += characters[index].isQuote ? "\(characters[index])\(mask)\(characters[index])" : mask
                    }
                    index = end
                }
                keyStart = index
                continue
            }
            out.append(character)
            if "&?;".contains(character) { keyStart = index + 1 }
            index += 1
        }
        return out
    }

    /// The value masked, its quotes kept.
    static func masked(_ token: String) -> String {
        guard let quote = token.first, quote.isQuote, token.count >= 2, token.last == quote else { return mask }
        return "\(quote)\(mask)\(quote)"
    }

    /// `scheme://user:password@host` → `scheme://user:***@host`.
    private static func maskUserInfo(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let scheme = rest.firstRange(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { "/ ,]}\"'\t\n".contains($0) } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                out += authority[...colon] + mask + authority[at...]
                rest = rest[authorityEnd...]
            }
        }
        return out + rest
    }

    /// `user/password@host`, Oracle's login (`scott/tiger@ORCL`, `jdbc:oracle:thin:scott/tiger@//db:1521/x`)
    /// → `user/***@host`: a user that starts a word (or follows a `:`, `=` or quote), one `/`, then the
    /// password up to the `@`.
    private static func maskSlashLogins(_ text: String) -> String {
        guard text.contains("@") else { return text }
        var characters = Array(text)
        var index = characters.count - 1
        while index > 0 {
            defer { index -= 1 }
            guard characters[index] == "@" else { continue }
            var slash = index - 1
            while slash >= 0, !"/:@ \t\n,[]{}=\"'".contains(characters[slash]) { slash -= 1 }
            guard slash >= 0, slash < index - 1, characters[slash] == "/" else { continue }
            var userStart = slash
            while userStart > 0,
                characters[userStart - 1].isLetter || characters[userStart - 1].isNumber
                    || "_.$#-".contains(characters[userStart - 1])
            {
                userStart -= 1
            }
            guard userStart < slash, userStart == 0 || " \t\n,[:=\"'".contains(characters[userStart - 1]) else {
                continue
            }
            characters.replaceSubrange((slash + 1)..<index, with: Array(mask))
            index = userStart
        }
        return String(characters)
    }

    /// Tokens with the run of separators after each: spaces (also no-break), tabs, line breaks, brackets,
    /// braces, `, ` (a comma inside a value stays), and a colon right after a quoted key. A quoted string is
    /// one token, spaces and commas included.
    static func tokenize(_ text: String) -> [(String, String)] {
        let characters = Array(text)
        var pieces: [(String, String)] = []
        var token = ""
        var separator = ""
        var index = 0
        func flush() {
            if !separator.isEmpty {
                pieces.append((token, separator))
                token = ""
                separator = ""
            }
        }
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : " "
            // utf8.count, not count: counting characters on every step would be quadratic in a long token.
            let quotedKeyDone = token.utf8.count >= 2 && token.first!.isQuote && token.last == token.first
            let isSeparator =
                " \t\n\r\u{00A0}[]{}".contains(character) || (character == "," && " \t\n\r".contains(next))
                || (character == ":" && quotedKeyDone && separator.isEmpty)
            if isSeparator {
                separator.append(character)
                index += 1
                continue
            }
            flush()
            if token.isEmpty, character.isQuote, let close = characters[(index + 1)...].firstIndex(of: character) {
                token = String(characters[index...close])
                index = close + 1
                continue
            }
            token.append(character)
            index += 1
        }
        pieces.append((token, separator))
        return pieces
    }
}

extension String {
    /// Without surrounding quotes.
    fileprivate func trimmingCharacters(quotes: Bool) -> String {
        guard count >= 2, let first, first.isQuote, last == first else { return self }
        return String(dropFirst().dropLast())
    }
}
