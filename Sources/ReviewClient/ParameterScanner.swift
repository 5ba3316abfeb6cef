/// Reads RFC 9110 tokens, quoted strings and separators from a header value, skipping optional
/// whitespace between them.
struct ParameterScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    var atEnd: Bool {
        mutating get {
            skipWhitespace()
            return index == bytes.count
        }
    }

    /// Consumes `separator` if it comes next.
    mutating func skip(_ separator: Character) -> Bool {
        skipWhitespace()
        guard index < bytes.count, let ascii = separator.asciiValue, bytes[index] == ascii else { return false }
        index += 1
        return true
    }

    /// A run of tchar (plus `*`, already a tchar, which marks an extended parameter).
    mutating func token() -> String? {
        skipWhitespace()
        let start = index
        while index < bytes.count, Self.isTokenChar(bytes[index]) { index += 1 }
        return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
    }

    /// A quoted string with its backslash escapes undone; nil if none starts here or it is unterminated.
    mutating func quotedString() -> String? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        var out: [UInt8] = []
        var position = index + 1
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                index = position + 1
                return String(decoding: out, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                position += 1
                guard position < bytes.count else { return nil }
            }
            out.append(bytes[position])
            position += 1
        }
        return nil
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
    }

    /// RFC 9110 tchar.
    private static func isTokenChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
