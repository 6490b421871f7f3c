extension String {
    /// Case-insensitive equality without allocating for the usual ASCII values (job types, states).
    func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var asciiEqual = true
        for (a, b) in zip(utf8, other.utf8) where a != b {
            guard a < 0x80, b < 0x80, Self.asciiLower(a) == Self.asciiLower(b) else {
                asciiEqual = false
                break
            }
        }
        return asciiEqual || lowercased() == other.lowercased()
    }

    private static func asciiLower(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}
