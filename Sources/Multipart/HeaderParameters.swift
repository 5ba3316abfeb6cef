/// A header value of the form `value; name=token; name="quoted string"` (RFC 9110 §5.6.6), as
/// Content-Type and Content-Disposition use it.
struct HeaderParameters {
    /// What precedes the first `;`, trimmed, e.g. `form-data`.
    var value: String
    /// Parameter values by lowercased name: quoted strings unquoted and unescaped, otherwise
    /// the bytes as sent.
    var parameters: [String: [UInt8]]

    /// Parses `bytes`; nil when they do not follow the grammar or a parameter repeats, since
    /// parsers that disagree on which repeat wins let a client smuggle a different name past
    /// a proxy.
    init?(parsing bytes: [UInt8]) {
        var index = bytes.firstIndex(of: .semicolon) ?? bytes.endIndex
        guard let value = String(validating: bytes[..<index].trimmingWhitespace(), as: UTF8.self), !value.isEmpty else {
            return nil
        }
        self.value = value
        parameters = [:]

        // Each pass starts at a `;`.
        while index < bytes.endIndex {
            index = Self.skipWhitespace(bytes, from: index + 1)
            guard index < bytes.endIndex, bytes[index] != .semicolon else { continue }

            let nameStart = index
            while index < bytes.endIndex && bytes[index].isTokenChar { index += 1 }
            guard index > nameStart, let name = String(validating: bytes[nameStart..<index], as: UTF8.self) else {
                return nil
            }
            index = Self.skipWhitespace(bytes, from: index)
            guard index < bytes.endIndex, bytes[index] == .equals else { return nil }
            index = Self.skipWhitespace(bytes, from: index + 1)

            var parameterValue: [UInt8] = []
            if index < bytes.endIndex && bytes[index] == .quote {
                guard let (unquoted, end) = Self.quotedString(bytes, from: index) else { return nil }
                parameterValue = unquoted
                index = end
            } else {
                // Tokens, plus the raw UTF-8 some clients leave unquoted.
                let valueStart = index
                while index < bytes.endIndex && (bytes[index].isTokenChar || bytes[index] >= 0x80) { index += 1 }
                guard index > valueStart else { return nil }
                parameterValue = Array(bytes[valueStart..<index])
            }
            index = Self.skipWhitespace(bytes, from: index)
            guard index == bytes.endIndex || bytes[index] == .semicolon else { return nil }

            guard parameters.updateValue(parameterValue, forKey: name.lowercased()) == nil else { return nil }
        }
    }

    /// Decodes an RFC 8187 extended value such as `UTF-8''%E9%96%8B.pdf`; nil when malformed,
    /// in a charset other than UTF-8 or ISO-8859-1, or not valid in its charset.
    static func decodeExtendedValue(_ bytes: [UInt8]) -> String? {
        let pieces = bytes.split(separator: .apostrophe, maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, let charset = String(validating: pieces[0], as: UTF8.self) else { return nil }

        var decoded: [UInt8] = []
        var encoded = pieces[2][...]
        while let byte = encoded.popFirst() {
            guard byte == .percent else {
                decoded.append(byte)
                continue
            }
            guard let high = encoded.popFirst()?.hexDigitValue, let low = encoded.popFirst()?.hexDigitValue else {
                return nil
            }
            decoded.append(high << 4 | low)
        }

        switch charset.lowercased() {
        case "utf-8":
            return String(validating: decoded, as: UTF8.self)
        case "iso-8859-1":
            return String(String.UnicodeScalarView(decoded.map { Unicode.Scalar($0) }))
        default:
            return nil
        }
    }

    /// The unescaped content of the quoted string opening at `start`, and the index after its
    /// closing quote; nil when it is unterminated or holds a control character.
    private static func quotedString(_ bytes: [UInt8], from start: Int) -> ([UInt8], Int)? {
        var content: [UInt8] = []
        var index = start + 1
        while index < bytes.endIndex {
            var byte = bytes[index]
            if byte == .quote { return (content, index + 1) }
            if byte == .backslash {
                index += 1
                guard index < bytes.endIndex else { return nil }
                byte = bytes[index]
            }
            guard !byte.isForbiddenControl else { return nil }
            content.append(byte)
            index += 1
        }
        return nil
    }

    private static func skipWhitespace(_ bytes: [UInt8], from start: Int) -> Int {
        bytes[start...].firstIndex { !$0.isWhitespace } ?? bytes.endIndex
    }
}
