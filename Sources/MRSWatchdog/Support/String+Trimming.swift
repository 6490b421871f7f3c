/// Trimming without Foundation's CharacterSet (which would pull ICU into the static binary).
extension StringProtocol {
    /// Removes leading and trailing scalars in `blank`.
    package func trimming(_ blank: Set<Unicode.Scalar>) -> String {
        // Usually nothing to trim: no copy of the scalars then.
        if let first = unicodeScalars.first, let last = unicodeScalars.last, !blank.contains(first),
            !blank.contains(last)
        {
            return String(self)
        }
        var scalars = Substring.UnicodeScalarView(unicodeScalars)
        while let first = scalars.first, blank.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, blank.contains(last) { scalars.removeLast() }
        return String(scalars)
    }

    /// Spaces and tabs: inside one line of a config, tag string or header.
    package func trimmingSpaces() -> String { trimming(.spaces) }
}

extension Set where Element == Unicode.Scalar {
    package static let spaces: Set<Unicode.Scalar> = [" ", "\t"]
    package static let spacesAndNewlines: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r"]
    /// Around a `k=v` setting's key or value: `"4h"`, `'k'`.
    package static let quotesAndSpaces: Set<Unicode.Scalar> = ["\"", "'", " ", "\t"]
    /// What Python's `str.strip()` removes from a header value (the SDK signer trims with it).
    package static let pythonWhitespace: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"]
}
