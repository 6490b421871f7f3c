extension JobResponseReader {
    // The JSON underneath: one pass over the bytes, nesting bounded, strings validated (UTF-8, escapes,
    // surrogates), numbers read as integers when they are.

    /// The whole input is one value read by `body`, with only whitespace around it.
    mutating func document(_ body: (inout Self) throws(SyntaxError) -> Void) throws(SyntaxError) {
        skipLeadingSpace()
        try body(&self)
        skipSpace()
        guard at == bytes.count else { throw failure("unexpected data after the JSON value") }
    }

    var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

    func failure(_ message: String) -> SyntaxError { SyntaxError(message: message, offset: at) }

    /// RFC 8259 §8.1: a byte-order mark before the value may be ignored.
    mutating func skipLeadingSpace() {
        if at == 0, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { at = 3 }
        skipSpace()
    }

    mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 {
            at += 1
        }
    }

    mutating func consume(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        let matches = literal.withUTF8Buffer { expected in (0..<count).allSatisfy { bytes[at + $0] == expected[$0] } }
        if matches { at += count }
        return matches
    }

    /// Calls `body` at each member's value (which it must consume) with the member's key, nil when the key's
    /// content cannot be read.
    mutating func members(
        depth: Int, _ body: (inout Self, String?) throws(SyntaxError) -> Void
    ) throws(SyntaxError) {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { throw failure("expected an object") }
        guard depth <= Self.maximumDepth else { throw failure("nested too deeply") }
        at += 1
        while true {
            skipSpace()
            // A trailing comma, as Foundation's parser (and so version 0.1) accepts.
            if peek == UInt8(ascii: "}") {
                at += 1
                return
            }
            let key = try string()
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw failure("expected ':' after a key") }
            at += 1
            try body(&self, key)
            skipSpace()
            switch peek {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "}"):
                at += 1
                return
            default: throw failure("expected ',' or '}' in an object")
            }
        }
    }

    /// Calls `body` at each element (which it must consume).
    mutating func elements(depth: Int, _ body: (inout Self) throws(SyntaxError) -> Void) throws(SyntaxError) {
        guard peek == UInt8(ascii: "[") else { throw failure("expected an array") }
        guard depth <= Self.maximumDepth else { throw failure("nested too deeply") }
        at += 1
        while true {
            skipSpace()
            if peek == UInt8(ascii: "]") {
                at += 1
                return
            }
            try body(&self)
            skipSpace()
            switch peek {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "]"):
                at += 1
                return
            default: throw failure("expected ',' or ']' in an array")
            }
        }
    }

    /// One value: a scalar, or `composite` once an object or array has been skipped.
    mutating func scalar(depth: Int) throws(SyntaxError) -> Scalar {
        skipSpace()
        guard let next = peek else { throw failure("unexpected end of input") }
        switch next {
        case UInt8(ascii: "\""): return try string().map(Scalar.string) ?? .unreadable
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipValue(depth: depth)
            return .composite
        case UInt8(ascii: "t") where consume("true"): return .bool(true)
        case UInt8(ascii: "f") where consume("false"): return .bool(false)
        case UInt8(ascii: "n") where consume("null"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw failure("expected a value")
        }
    }

    mutating func skipValue(depth: Int) throws(SyntaxError) {
        skipSpace()
        switch peek {
        case UInt8(ascii: "{"):
            try members(depth: depth) { reader, _ throws(SyntaxError) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            try elements(depth: depth) { reader throws(SyntaxError) in try reader.skipValue(depth: depth + 1) }
        default: _ = try scalar(depth: depth)
        }
    }

    /// RFC 8259 §6: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; an integer that fits Int64 stays exact.
    mutating func number() throws(SyntaxError) -> Scalar {
        let start = at
        func digits(_ reader: inout Self) -> Int {
            let first = reader.at
            while let byte = reader.peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { reader.at += 1 }
            return reader.at - first
        }
        if peek == UInt8(ascii: "-") { at += 1 }
        let leadingZero = peek == UInt8(ascii: "0")
        let whole = digits(&self)
        guard whole > 0, !(leadingZero && whole > 1) else { throw failure("malformed number") }
        var integral = true
        if peek == UInt8(ascii: ".") {
            at += 1
            integral = false
            guard digits(&self) > 0 else { throw failure("malformed number") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            at += 1
            integral = false
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { at += 1 }
            guard digits(&self) > 0 else { throw failure("malformed number") }
        }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        if integral, let exact = Int64(text) { return .integer(exact) }
        guard let real = Double(text), real.isFinite else { return .unreadable }
        return .real(real)
    }

    /// A string at `at` (its opening quote), escapes resolved; nil, with the string consumed, when its content
    /// cannot be read: invalid UTF-8, a control character, an unknown escape or an unpaired surrogate. Never
    /// repaired: a repaired job id would name another job.
    /// - Throws: `SyntaxError` when the string is not there or never ends.
    mutating func string() throws(SyntaxError) -> String? {
        guard peek == UInt8(ascii: "\"") else { throw failure("expected a string") }
        at += 1
        let start = at
        // The common case: no escapes, so the bytes are the string.
        while at < bytes.count, bytes[at] >= 0x20, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\") {
            at += 1
        }
        guard at < bytes.count else { throw failure("unterminated string") }
        if bytes[at] == UInt8(ascii: "\"") {
            at += 1
            return bytes.withUnsafeBufferPointer { Self.text(UnsafeBufferPointer(rebasing: $0[start..<(at - 1)])) }
        }
        var text = Array(bytes[start..<at])
        var readable = true
        while true {
            guard at < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[at]
            at += 1
            switch byte {
            case UInt8(ascii: "\""): return readable ? text.withUnsafeBufferPointer(Self.text) : nil
            case UInt8(ascii: "\\"): readable = try escape(into: &text) && readable
            case ..<0x20: readable = false
            default: text.append(byte)
            }
        }
    }

    /// The string, nil when the bytes are not UTF-8. (From a buffer pointer: a slice of the array cost a
    /// retain and release per string.)
    static func text(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        // `String(validating:)` is slower on the ASCII that MRS sends nearly always.
        if utf8.allSatisfy({ $0 < 0x80 }) { return String(decoding: utf8, as: UTF8.self) }
        return String(validating: utf8, as: UTF8.self)
    }

    /// Appends the escaped character; false when the escape is unknown or an unpaired surrogate.
    mutating func escape(into text: inout [UInt8]) throws(SyntaxError) -> Bool {
        guard let byte = peek else { throw failure("unterminated string") }
        at += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(byte)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            guard var code = try hex4() else { return false }
            if (0xD800...0xDBFF).contains(code) {
                guard bytes[at...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) else { return false }
                at += 2
                guard let low = try hex4(), (0xDC00...0xDFFF).contains(low) else { return false }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { return false }
            text.append(contentsOf: String(Character(scalar)).utf8)
        default: return false
        }
        return true
    }

    /// Four hex digits; nil (with what was read consumed) when one is not a hex digit.
    mutating func hex4() throws(SyntaxError) -> UInt32? {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek else { throw failure("unterminated string") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            at += 1
        }
        return value
    }
}
