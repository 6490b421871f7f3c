import MRSWatchdog
import Testing

/// The one safe-text function every human-readable output goes through.
struct SafeTextTests {
    @Test func safeTextEscapesEveryControlAndBidiCharacterAndKeepsTheRest() {
        #expect(SafeText.line("plain text, 作业 ✔") == "plain text, 作业 ✔")
        #expect(SafeText.line("a\u{0}b\tc\nd\u{7F}e\u{85}f\u{9B}g") == "a\\x00b\\x09c\\x0ad\\u007fe\\u0085f\\u009bg")
        #expect(SafeText.line("\u{202E}\u{2066}\u{200F}\u{2028}") == "\\u202e\\u2066\\u200f\\u2028")
        #expect(SafeText.lines("one\ntwo\u{1B}") == "one\ntwo\\x1b", "lines keeps line breaks only")
    }

    /// Invisible characters (zero-width, soft hyphen, byte-order mark, word joiner, tags, private use) would
    /// make `etl\u{200B}-nightly` read as `etl-nightly`: they are shown as escapes too; emoji, CJK and
    /// accented letters are kept.
    @Test func safeTextShowsInvisibleCharacters() {
        #expect(
            SafeText.line("a\u{200B}b\u{200D}c\u{AD}d\u{FEFF}e\u{2060}f\u{E000}g\u{E0041}h\u{F0000}")
                == "a\\u200bb\\u200dc\\u00add\\ufeffe\\u2060f\\ue000g\\udb40\\udc41h\\udb80\\udc00")
        #expect(SafeText.line("作业 é ✔ 🙂 ü") == "作业 é ✔ 🙂 ü")
    }
}
