import CWidth

/// Text for a terminal: made safe to print (no control sequences from MRS fields), measured in columns and
/// cut to a width with "…".
package enum TerminalText {
    /// Selects a UTF-8 character type so `wcwidth` knows wide (CJK) characters. Once per process, however
    /// many callers (setlocale is not thread-safe).
    package static func useUTF8() { _ = selectedUTF8 }

    private static let selectedUTF8: Void = { _ = setlocale(LC_CTYPE, "C.UTF-8") }()

    /// `text` as one line safe to print (`SafeText.line`): a job name or a reason from MRS must not move the
    /// cursor, change colours or reorder what the operator reads.
    package static func printable(_ text: String) -> String { SafeText.line(text) }

    /// Columns `text` takes on a terminal (wide characters count 2, combining marks 0), by the C library's
    /// `wcwidth`; a character it cannot measure counts 1.
    package static func width(_ text: String) -> Int {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.count }
        return text.reduce(0) { $0 + width(of: $1) }
    }

    private static func width(of character: Character) -> Int {
        if character.isASCII { return 1 }
        let columns = character.unicodeScalars.reduce(0) { sum, scalar in
            sum + max(0, Int(wcwidth(wchar_t(bitPattern: scalar.value))))
        }
        // Variation selector 16 asks for emoji presentation, which terminals draw two columns wide.
        let emoji = character.unicodeScalars.contains("\u{FE0F}")
        return max(emoji ? 2 : 1, columns)
    }

    /// `text` cut to at most `columns` columns, ending in "…" when something was cut.
    package static func truncated(_ text: String, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        guard width(text) > columns else { return text }
        var out = ""
        var used = 0
        for character in text {
            let next = width(of: character)
            if used + next > columns - 1 { break }
            out.append(character)
            used += next
        }
        return out + "…"
    }

    /// `text` padded with spaces to `columns` columns (never cut).
    package static func padded(_ text: String, to columns: Int) -> String {
        text + String(repeating: " ", count: max(0, columns - width(text)))
    }
}
