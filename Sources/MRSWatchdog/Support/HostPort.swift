/// `HOST:PORT`, as in listen addresses and proxy settings.
package struct HostPort: Sendable, Hashable {
    package var host: String
    package var port: Int

    package init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port), colon != text.startIndex
        else { return nil }
        self.host = String(text[..<colon])
        self.port = port
    }
}
