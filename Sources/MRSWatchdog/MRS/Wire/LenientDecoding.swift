/// Decoding helpers for fields whose JSON type the API does not keep: numbers sent as strings and the
/// other way round. A value of an unusable type reads as nil rather than failing the whole page.
extension KeyedDecodingContainer {
    func lenientString(_ key: Key) -> String? {
        if let text = try? decodeIfPresent(String.self, forKey: key) { return text }
        if let number = try? decodeIfPresent(Int64.self, forKey: key) { return String(number) }
        if let number = try? decodeIfPresent(Double.self, forKey: key) { return String(number) }
        return nil
    }

    func lenientInt(_ key: Key) -> Int? {
        if let number = try? decodeIfPresent(Int.self, forKey: key) { return number }
        if let text = try? decodeIfPresent(String.self, forKey: key) { return Int(text.trimmingSpaces()) }
        return nil
    }
}

/// A JSON array read entry by entry: an entry that cannot be decoded is skipped and its index kept, so one
/// bad entry never takes the whole list down.
package struct LenientList<Element: Decodable & Sendable>: Decodable, Sendable {
    package var elements: [Element] = []
    /// Zero-based indices of the entries that could not be read.
    package var malformed: [Int] = []

    package init(from decoder: any Decoder) throws {
        var list = try decoder.unkeyedContainer()
        while !list.isAtEnd {
            let index = list.currentIndex
            if let element = try? list.decode(Element.self) {
                elements.append(element)
            } else {
                _ = try list.decode(SkippedValue.self)
                malformed.append(index)
            }
        }
    }
}

/// Consumes one JSON value of any shape.
struct SkippedValue: Decodable {
    init(from decoder: any Decoder) throws {}
}

extension KeyedEncodingContainer {
    /// Encodes `value` unless `omit` names the key: the emulator leaves fields out as real responses do.
    mutating func encode<T: Encodable>(_ value: T?, forKey key: Key, unless omit: Set<String>) throws {
        guard !omit.contains(key.stringValue) else { return }
        try encodeIfPresent(value, forKey: key)
    }
}
