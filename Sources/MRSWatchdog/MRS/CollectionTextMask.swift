/// `SecretRedaction`'s structural pass over the collection text Java's `toString` writes, which is how MRS
/// returns `arguments` (`[--conf, k=v, --class, x.Main]`) and often `properties` (`{k=v, k2=v2}`): the text is
/// split into elements at `, ` outside brackets and quotes, so a value holding spaces, commas or a whole
/// JSON document stays one element, and each element is read on its own. A secret key's whole value, and the
/// element after a secret-named flag, become `***`.
enum CollectionTextMask {
    /// `text` masked, or nil when it is not one bracketed collection whose brackets and quotes balance (then
    /// no element boundary in it can be trusted).
    static func masked(_ text: String) -> String? {
        let characters = Array(text)
        guard let open = characters.firstIndex(where: { !$0.isWhitespace }),
            let close = characters.lastIndex(where: { !$0.isWhitespace }), close > open,
            closer(of: characters[open]) == characters[close],
            let elements = split(characters[(open + 1)..<close])
        else { return nil }
        let isMap = characters[open] == "{"
        var out = String(characters[...open])
        var hideNext = false
        for (element, separator) in elements {
            let elementCharacters = Array(element)
            let split = assignment(elementCharacters)
            // A map's entries all have a key: an element without one is more of a secret value's text
            // (`{password=my, pass, q=1}`), as a list's element after a secret-named flag is its value.
            if hideNext, !isMap || split == nil {
                out += maskedValue(element) + separator
                hideNext = isMap
                continue
            }
            let (masked, secret) = self.masked(element: elementCharacters, assignment: split)
            let bare = element.trimming(.spacesAndNewlines)
            hideNext = isMap ? secret : bare.hasPrefix("-") && split == nil && SecretRedaction.isSecretKey(bare)
            out += masked + separator
        }
        return out + String(characters[close...])
    }

    /// One element: a nested collection or document, `key=value` / `key: value` under a secret key, or else
    /// the settings inside it read as tokens; and whether its key is a secret one.
    private static func masked(element characters: [Character], assignment split: Int?) -> (String, secret: Bool) {
        let element = String(characters)
        guard let first = characters.firstIndex(where: { !$0.isWhitespace }) else { return (element, false) }
        if closer(of: characters[first]) != nil { return (SecretRedaction.redact(element) ?? element, false) }
        guard let split else { return (SecretRedaction.redactValue(element), false) }
        let key = String(characters[..<split]).trimming(.spacesAndNewlines)
        let value = String(characters[(split + 1)...])
        let head = String(characters[...split])
        if SecretRedaction.isSecretKey(key.hasPrefix("-D") ? String(key.dropFirst(2)) : key) {
            return (head + maskedValue(value), true)
        }
        if let start = value.first(where: { !$0.isWhitespace }), closer(of: start) != nil {
            return (head + (SecretRedaction.redact(value) ?? value), false)
        }
        return (SecretRedaction.redactValue(element), false)
    }

    /// `***` in place of the text between its leading and trailing spaces, quotes kept.
    private static func maskedValue(_ text: String) -> String {
        let characters = Array(text)
        guard let first = characters.firstIndex(where: { !$0.isWhitespace }),
            let last = characters.lastIndex(where: { !$0.isWhitespace })
        else { return text }
        return String(characters[..<first]) + SecretRedaction.masked(String(characters[first...last]))
            + String(characters[(last + 1)...])
    }

    /// Where a `key=value` or `key: value` element's key ends: the first `=` or `:` outside quotes, when the
    /// key before it is one word (quoted or not).
    private static func assignment(_ characters: [Character]) -> Int? {
        var quote: Character?
        for (index, character) in characters.enumerated() {
            if let open = quote {
                if character == open { quote = nil }
            } else if character.isQuote {
                quote = character
            } else if character == "=" || character == ":" {
                let key = characters[..<index].drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace)
                return key.isEmpty || key.contains(where: \.isWhitespace) ? nil : index
            }
        }
        return nil
    }

    /// The elements between the outer brackets, each with the `, ` after it, or nil when a bracket or a quote
    /// inside does not close.
    private static func split(_ inner: ArraySlice<Character>) -> [(String, String)]? {
        var commas: [Int] = []
        let balanced = scan(inner) { index, depth in
            if depth == 0, inner[index] == ",", index + 1 < inner.endIndex, inner[index + 1].isWhitespace {
                commas.append(index)
            }
            return true
        }
        guard balanced else { return nil }
        var elements: [(String, String)] = []
        var start = inner.startIndex
        for comma in commas where comma >= start {
            let end = inner[(comma + 1)...].firstIndex { !$0.isWhitespace } ?? inner.endIndex
            elements.append((String(inner[start..<comma]), String(inner[comma..<end])))
            start = end
        }
        elements.append((String(inner[start...]), ""))
        return elements
    }

    /// The index of the bracket that closes the one at `open`, or nil when none does.
    static func groupEnd(_ characters: [Character], from open: Int) -> Int? {
        var end: Int?
        scan(characters[open...]) { index, depth in
            if depth == 0 { end = index }
            return end == nil
        }
        return end
    }

    /// Visits every character outside quotes with the bracket depth after it, until `visit` says stop.
    /// Returns false when a bracket closes one it does not match, or the text ends inside quotes or brackets
    /// without being stopped. A quote opens only where a value starts (after a space, `=`, `:`, `,` or a
    /// bracket), so an apostrophe inside a word is a letter; `\` escapes inside double quotes, as JSON writes.
    @discardableResult
    private static func scan(_ characters: ArraySlice<Character>, visit: (_ index: Int, _ depth: Int) -> Bool) -> Bool {
        var closers: [Character] = []
        var quote: Character?
        var index = characters.startIndex
        while index < characters.endIndex {
            let character = characters[index]
            if let open = quote {
                if character == "\\", open == "\"" {
                    index += 1
                } else if character == open {
                    quote = nil
                }
            } else {
                let previous = index > characters.startIndex ? characters[index - 1] : " "
                if character.isQuote, previous.isWhitespace || "=:[{,".contains(previous) {
                    quote = character
                } else if let closer = Self.closer(of: character) {
                    closers.append(closer)
                } else if character == "]" || character == "}" {
                    guard closers.popLast() == character else { return false }
                }
                if quote == nil, !visit(index, closers.count) { return true }
            }
            index += 1
        }
        return quote == nil && closers.isEmpty
    }

    private static func closer(of character: Character) -> Character? {
        character == "[" ? "]" : character == "{" ? "}" : nil
    }
}

extension Character {
    var isQuote: Bool { self == "\"" || self == "'" }
}
