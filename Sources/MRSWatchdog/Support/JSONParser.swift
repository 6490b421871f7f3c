/// A strict RFC 8259 JSON parser that keeps positions (Foundation's parsers do not report where a value is).
///
/// Used for the config file, where every error must name its line and column, and for MRS error bodies.
/// Nesting is capped so hostile input cannot exhaust the stack.
package struct JSONParser {
    package struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        package var message: String
        package var position: TextPosition
        package var description: String { "\(position): \(message)" }
    }

    package static let maximumDepth = 64

    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1

    private init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        // RFC 8259 §8.1: a parser may ignore a leading byte-order mark; editors on Windows write one.
        if scalars.first == "\u{FEFF}" { index = 1 }
    }

    /// Parses one JSON document; anything but whitespace after it is an error.
    package static func parse(_ text: String) throws(SyntaxError) -> JSONNode {
        var parser = JSONParser(text)
        parser.skipWhitespace()
        let node = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index < parser.scalars.count {
            throw parser.error("unexpected \(parser.describeCurrent()) after the JSON value")
        }
        return node
    }

    package static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONNode {
        try parse(String(decoding: bytes, as: UTF8.self))
    }

    private var here: TextPosition { TextPosition(line: line, column: column) }

    private func error(_ message: String, at position: TextPosition? = nil) -> SyntaxError {
        SyntaxError(message: message, position: position ?? here)
    }

    private func describeCurrent() -> String {
        guard index < scalars.count else { return "end of file" }
        let scalar = scalars[index]
        return VisibleText.isVisible(scalar) && !scalar.properties.isWhitespace
            ? "'\(scalar)'" : VisibleText.describe(scalar)
    }

    private mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private mutating func skipWhitespace() {
        while index < scalars.count, [" ", "\t", "\n", "\r"].contains(scalars[index]) { advance() }
    }

    private mutating func expect(_ scalar: Unicode.Scalar, _ what: String) throws(SyntaxError) {
        guard index < scalars.count, scalars[index] == scalar else {
            throw error("expected \(what), found \(describeCurrent())")
        }
        advance()
    }

    private mutating func parseValue(depth: Int) throws(SyntaxError) -> JSONNode {
        guard depth < Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        guard index < scalars.count else { throw error("expected a value, found end of file") }
        let start = here
        switch scalars[index] {
        case "{": return JSONNode(value: try parseObject(depth: depth), position: start)
        case "[": return JSONNode(value: try parseArray(depth: depth), position: start)
        case "\"": return JSONNode(value: .string(try parseString()), position: start)
        case "t": try parseLiteral("true"); return JSONNode(value: .bool(true), position: start)
        case "f": try parseLiteral("false"); return JSONNode(value: .bool(false), position: start)
        case "n": try parseLiteral("null"); return JSONNode(value: .null, position: start)
        case "-", "0"..."9": return JSONNode(value: .number(try parseNumber()), position: start)
        default: throw error("expected a value, found \(describeCurrent())")
        }
    }

    private mutating func parseLiteral(_ word: String) throws(SyntaxError) {
        let start = here
        for expected in word.unicodeScalars {
            guard index < scalars.count, scalars[index] == expected else {
                throw error("invalid literal (expected '\(word)')", at: start)
            }
            advance()
        }
    }

    private mutating func parseObject(depth: Int) throws(SyntaxError) -> JSONNode.Value {
        advance()  // {
        var members: [JSONNode.Member] = []
        skipWhitespace()
        if index < scalars.count, scalars[index] == "}" {
            advance()
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < scalars.count, scalars[index] == "\"" else {
                throw error("expected a quoted key, found \(describeCurrent())")
            }
            let keyPosition = here
            let key = try parseString()
            skipWhitespace()
            try expect(":", "':' after the key")
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            members.append(JSONNode.Member(key: key, keyPosition: keyPosition, value: value))
            skipWhitespace()
            guard index < scalars.count else { throw error("unterminated object, expected ',' or '}'") }
            if scalars[index] == "," {
                advance()
                continue
            }
            try expect("}", "',' or '}'")
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws(SyntaxError) -> JSONNode.Value {
        advance()  // [
        var elements: [JSONNode] = []
        skipWhitespace()
        if index < scalars.count, scalars[index] == "]" {
            advance()
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < scalars.count else { throw error("unterminated array, expected ',' or ']'") }
            if scalars[index] == "," {
                advance()
                continue
            }
            try expect("]", "',' or ']'")
            return .array(elements)
        }
    }

    private mutating func parseString() throws(SyntaxError) -> String {
        let start = here
        advance()  // opening quote
        var out = String.UnicodeScalarView()
        while true {
            guard index < scalars.count else { throw error("unterminated string", at: start) }
            let scalar = scalars[index]
            switch scalar {
            case "\"":
                advance()
                return String(out)
            case "\\":
                advance()
                guard index < scalars.count else { throw error("unterminated string", at: start) }
                let escape = scalars[index]
                advance()
                switch escape {
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "/": out.append("/")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "u": out.append(try parseUnicodeEscape())
                default: throw error("invalid escape '\\\(escape)'")
                }
            default:
                guard scalar.value >= 0x20 else {
                    throw error("control character \(VisibleText.describe(scalar)) in a string (escape it)")
                }
                out.append(scalar)
                advance()
            }
        }
    }

    private mutating func parseHex4() throws(SyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < scalars.count, let digit = hexDigit(scalars[index]) else { throw error("invalid \\u escape") }
            value = value << 4 | digit
            advance()
        }
        return value
    }

    private func hexDigit(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": return scalar.value - 48
        case "a"..."f": return scalar.value - 87
        case "A"..."F": return scalar.value - 55
        default: return nil
        }
    }

    private mutating func parseUnicodeEscape() throws(SyntaxError) -> Unicode.Scalar {
        let first = try parseHex4()
        if (0xD800...0xDBFF).contains(first) {
            guard index + 1 < scalars.count, scalars[index] == "\\", scalars[index + 1] == "u" else {
                throw error("unpaired surrogate in \\u escape")
            }
            advance()
            advance()
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw error("unpaired surrogate in \\u escape") }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
        }
        guard let scalar = Unicode.Scalar(first) else { throw error("unpaired surrogate in \\u escape") }
        return scalar
    }

    private mutating func parseNumber() throws(SyntaxError) -> String {
        let start = here
        var text = String.UnicodeScalarView()
        func take(_ parser: inout JSONParser) {
            text.append(parser.scalars[parser.index])
            parser.advance()
        }
        func digits(_ parser: inout JSONParser) -> Int {
            var count = 0
            while parser.index < parser.scalars.count, ("0"..."9").contains(parser.scalars[parser.index]) {
                take(&parser)
                count += 1
            }
            return count
        }
        if scalars[index] == "-" { take(&self) }
        guard index < scalars.count, ("0"..."9").contains(scalars[index]) else {
            throw error("invalid number", at: start)
        }
        if scalars[index] == "0" {
            take(&self)
            if index < scalars.count, ("0"..."9").contains(scalars[index]) {
                throw error("invalid number (leading zero)", at: start)
            }
        } else {
            _ = digits(&self)
        }
        if index < scalars.count, scalars[index] == "." {
            take(&self)
            guard digits(&self) > 0 else { throw error("invalid number (digits expected after '.')", at: start) }
        }
        if index < scalars.count, scalars[index] == "e" || scalars[index] == "E" {
            take(&self)
            if index < scalars.count, scalars[index] == "+" || scalars[index] == "-" { take(&self) }
            guard digits(&self) > 0 else { throw error("invalid number (digits expected in exponent)", at: start) }
        }
        return String(text)
    }
}
