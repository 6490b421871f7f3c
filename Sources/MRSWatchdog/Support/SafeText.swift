/// Text others wrote (job names, arguments, reasons quoting them, extension files, endpoint answers) made
/// safe for people to read, wherever it goes: a terminal, a `--plain` log line, a journal field, a
/// webhook's or SMN's text. Control characters (C0 with NUL, DEL, C1), the bidirectional overrides and
/// isolates, and invisible characters are shown as visible escapes (`\x1b`, `\u0085`, `\u202e`, `\u200b`), so
/// nothing can move the cursor, recolour the screen, cut a log line to forge the next one, reorder what is
/// read or make two names look alike. `--json` output is escaped per RFC 8259 instead (`JSONText`). A
/// backslash is kept as it is: output passes through here more than once (a table, then the console), and
/// a written `\x1b` is harmless text.
package enum SafeText {
    /// `text` as one line: every character above escaped, line breaks included.
    package static func line(_ text: String) -> String { escaped(text, keepingNewlines: false) }

    /// `line(text)` of at most `maxBytes` bytes of UTF-8 (plus the marker), its middle left out: escaped
    /// first, then cut, since escapes make text longer. For text of any size going where size is bounded
    /// (a journal line, STATUS, an SMN subject).
    package static func line(_ text: String, maxBytes: Int) -> String { line(text).elidingMiddle(toBytes: maxBytes) }

    /// `text` as lines: the same, but `\n` kept (a whole table or report written at once).
    package static func lines(_ text: String) -> String { escaped(text, keepingNewlines: true) }

    /// Whether `scalar` is shown escaped: controls (Unicode category Cc), format characters (Cf: the
    /// bidirectional marks, embeddings, overrides and isolates, zero-width spaces and joiners, the soft
    /// hyphen, the byte-order mark, tags), private use (Co), and the line and paragraph separators (Zl, Zp).
    package static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value < 0x20 || scalar.value == 0x7F }
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    private static func escaped(_ text: String, keepingNewlines: Bool) -> String {
        // Most text has nothing to escape: one scan, no copy.
        guard text.unicodeScalars.contains(where: { isUnsafe($0) && !(keepingNewlines && $0 == "\n") }) else {
            return text
        }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isUnsafe(scalar), !(keepingNewlines && scalar == "\n") else {
                out.append(scalar)
                continue
            }
            func hex(_ value: some BinaryInteger, digits: Int) -> String {
                let text = String(value, radix: 16)
                return String(repeating: "0", count: max(0, digits - text.count)) + text
            }
            // `\u` for DEL, C1 and the rest, which is also JSON's escape (a surrogate pair above U+FFFF):
            // `--json` output stays valid JSON.
            let escape =
                scalar.value < 0x20
                ? "\\x" + hex(scalar.value, digits: 2)
                : String(scalar).utf16.map { "\\u" + hex($0, digits: 4) }.joined()
            out.append(contentsOf: escape.unicodeScalars)
        }
        return String(out)
    }
}
