/// Text others wrote (job names, arguments, reasons quoting them, extension files, endpoint answers) made
/// safe for people to read, wherever it goes: a terminal, a `--plain` log line, a journal field, a
/// webhook's or SMN's text. Control characters (C0 with NUL, DEL, C1) and the bidirectional overrides and
/// isolates are shown as visible escapes (`\x1b`, `\u0085`, `\u202e`), so nothing can move the cursor, recolour the
/// screen, cut a log line to forge the next one, or reorder what is read. `--json` output is escaped per
/// RFC 8259 instead (`JSONText`).
package enum SafeText {
    /// `text` as one line: every character above escaped, line breaks included.
    package static func line(_ text: String) -> String { escaped(text, keepingNewlines: false) }

    /// `text` as lines: the same, but `\n` kept (a whole table or report written at once).
    package static func lines(_ text: String) -> String { escaped(text, keepingNewlines: true) }

    /// Whether `scalar` is shown escaped.
    package static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        // Bidirectional embeddings, overrides and isolates, the marks, and the line and paragraph separators.
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: return true
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
            let hex = String(scalar.value, radix: 16)
            // `\u` for DEL, C1 and the rest, which is also JSON's escape: `--json` output stays valid JSON.
            let escape =
                scalar.value < 0x20
                ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                : "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            out.append(contentsOf: escape.unicodeScalars)
        }
        return String(out)
    }
}
