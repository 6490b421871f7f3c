extension StringProtocol {
    /// The text with its middle left out (`…[1234 bytes left out]…`) when it has more than `cap` bytes of
    /// UTF-8, cut on characters so no scalar is split; at most `cap` bytes plus the marker. Someone else's
    /// text (a job's name, a declared value) may be any size; a log line, a notification or an SMN subject
    /// may not.
    package func elidingMiddle(toBytes cap: Int) -> String {
        let bytes = utf8.count
        guard bytes > cap else { return String(self) }
        let keep = Swift.max(cap / 2 - 16, 4)
        var head = ""
        var tail = ""
        for character in self {
            guard head.utf8.count + character.utf8.count <= keep else { break }
            head.append(character)
        }
        for character in reversed() {
            guard tail.utf8.count + character.utf8.count <= keep else { break }
            tail.insert(character, at: tail.startIndex)
        }
        return "\(head)…[\(bytes - head.utf8.count - tail.utf8.count) bytes left out]…\(tail)"
    }
}
