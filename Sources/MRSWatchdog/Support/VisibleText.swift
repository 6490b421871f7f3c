/// Shows the characters a reader cannot see — byte-order marks, no-break and zero-width spaces, controls —
/// by code point and name, so that a config error about them can be read: `<U+FEFF byte-order mark>`.
enum VisibleText {
    /// `text` with every non-printing character replaced by `<U+XXXX name>`; ordinary spaces stay.
    static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !isVisible($0) }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isVisible(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "<\(describe(scalar))>"
            }
        }
        return out
    }

    /// `U+00A0 no-break space`.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        let name =
            names[scalar.value] ?? scalar.properties.name?.lowercased() ?? scalar.properties.nameAlias?.lowercased()
        return name.map { "\(code) \($0)" } ?? code
    }

    static func isVisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
            return false
        case .spaceSeparator:
            return scalar == " "
        default:
            return true
        }
    }

    /// Names people know, where Unicode's own are long or absent (controls have none).
    private static let names: [UInt32: String] = [
        0x00: "NUL", 0x09: "tab", 0x0A: "line feed", 0x0D: "carriage return", 0x1B: "escape",
        0xFEFF: "byte-order mark", 0x00A0: "no-break space", 0x200B: "zero-width space",
        0x200C: "zero-width non-joiner", 0x200D: "zero-width joiner", 0x2060: "word joiner",
    ]
}
