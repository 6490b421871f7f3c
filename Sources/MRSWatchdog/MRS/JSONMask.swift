/// `SecretRedaction`'s structural pass over JSON text: values under secret keys, and the argument after a
/// secret-named flag (`["--password", "x"]`), become `"***"`; other strings are redacted as text (settings
/// inside them); everything else is copied byte for byte, so the shape and spacing stay as MRS sent them.
enum JSONMask {
    /// `text` masked, or nil when it is not one JSON value (RFC 8259, checked by `JSONParser` first).
    static func masked(_ text: String) -> String? {
        guard (try? JSONParser.parse(text)) != nil else { return nil }
        var walker = Walker(bytes: Array(text.utf8))
        walker.value(secret: false)
        walker.copySpace()
        return String(decoding: walker.out, as: UTF8.self)
    }

    /// One pass over a document `JSONParser` accepted, so no error paths: every byte is where JSON allows it.
    private struct Walker {
        let bytes: [UInt8]
        var index = 0
        var out: [UInt8] = []

        init(bytes: [UInt8]) {
            self.bytes = bytes
            out.reserveCapacity(bytes.count)
        }

        mutating func copySpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
                out.append(bytes[index])
                index += 1
            }
        }

        /// Copies (or masks, when `secret`) the value at `index`.
        mutating func value(secret: Bool) {
            copySpace()
            switch bytes[index] {
            case UInt8(ascii: "{"): object(secret: secret)
            case UInt8(ascii: "["): array(secret: secret)
            case UInt8(ascii: "\""):
                let (raw, decoded) = string()
                write(string: raw, decoded: decoded, secret: secret)
            default:
                let start = index
                while index < bytes.count, !",]} \t\r\n".utf8.contains(bytes[index]) { index += 1 }
                if secret { out += Array("\"\(SecretRedaction.mask)\"".utf8) } else { out += bytes[start..<index] }
            }
        }

        mutating func object(secret: Bool) {
            out.append(bytes[index])
            index += 1
            while true {
                copySpace()
                if bytes[index] == UInt8(ascii: "}") { break }
                if bytes[index] == UInt8(ascii: ",") {
                    out.append(bytes[index])
                    index += 1
                    continue
                }
                let (raw, key) = string()
                out += raw
                copySpace()
                out.append(bytes[index])  // :
                index += 1
                value(secret: secret || SecretRedaction.isSecretKey(key))
            }
            out.append(bytes[index])
            index += 1
        }

        /// An array read as arguments: a secret-named flag masks the element after it.
        mutating func array(secret: Bool) {
            out.append(bytes[index])
            index += 1
            var afterSecretFlag = false
            while true {
                copySpace()
                if bytes[index] == UInt8(ascii: "]") { break }
                if bytes[index] == UInt8(ascii: ",") {
                    out.append(bytes[index])
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "\"") else {
                    value(secret: secret || afterSecretFlag)
                    afterSecretFlag = false
                    continue
                }
                let (raw, decoded) = string()
                write(string: raw, decoded: decoded, secret: secret || afterSecretFlag)
                afterSecretFlag =
                    decoded.hasPrefix("-") && !decoded.contains("=") && SecretRedaction.isSecretKey(decoded)
            }
            out.append(bytes[index])
            index += 1
        }

        /// The string at `index`: its raw bytes (quotes included) and its value.
        mutating func string() -> (raw: ArraySlice<UInt8>, decoded: String) {
            let start = index
            index += 1
            while bytes[index] != UInt8(ascii: "\"") {
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            index += 1
            let raw = bytes[start..<index]
            let decoded = (try? JSONParser.parse(Array(raw)))?.stringValue ?? ""
            return (raw, decoded)
        }

        mutating func write(string raw: ArraySlice<UInt8>, decoded: String, secret: Bool) {
            if secret {
                out += Array("\"\(SecretRedaction.mask)\"".utf8)
                return
            }
            let redacted = SecretRedaction.redactValue(decoded)
            out += redacted == decoded ? Array(raw) : Array(JSONText.quoted(redacted).utf8)
        }
    }
}
