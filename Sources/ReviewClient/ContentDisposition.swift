import Foundation

/// The file name a `Content-Disposition` header carries (RFC 6266), preferring the UTF-8
/// `filename*` (RFC 8187) over the ASCII fallback `filename`, as RFC 6266 §4.3 asks.
public struct ContentDisposition: Sendable, Equatable {
    /// `attachment`, `inline`, … lowercased.
    public var type: String
    /// The decoded file name, or nil when the header has none that can be read.
    public var filename: String?

    /// Parses a header value; nil when it is not a disposition at all.
    public init?(_ header: String) {
        var scanner = ParameterScanner(header)
        guard let type = scanner.token(), !type.isEmpty else { return nil }
        self.type = type.lowercased()
        var plain: String?
        var extended: String?
        while scanner.skip(";") {
            guard let name = scanner.token()?.lowercased(), scanner.skip("=") else { return nil }
            guard let value = scanner.quotedString() ?? scanner.token() else { return nil }
            // A repeated parameter makes the header ambiguous; trust neither copy.
            switch name {
            case "filename": if plain == nil { plain = value } else { return nil }
            case "filename*": if extended == nil { extended = value } else { return nil }
            default: break
            }
        }
        guard scanner.atEnd else { return nil }
        filename = extended.flatMap(Self.decodeExtended) ?? plain
    }

    /// RFC 8187 `charset'language'pct-encoded`. UTF-8 is the only charset RFC 8187 requires;
    /// ISO-8859-1 is accepted because RFC 5987 allowed it. Anything else, or bad escapes: nil.
    static func decodeExtended(_ value: String) -> String? {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var bytes: [UInt8] = []
        var utf8 = parts[2].utf8.makeIterator()
        while let byte = utf8.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = utf8.next().flatMap(Hex.nibble), let low = utf8.next().flatMap(Hex.nibble) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else if Self.isAttrChar(byte) {
                bytes.append(byte)
            } else {
                return nil
            }
        }
        switch parts[0].lowercased() {
        case "utf-8": return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1": return String(bytes.map { Character(Unicode.Scalar($0)) })
        default: return nil
        }
    }

    /// RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~".
    private static func isAttrChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$&+-.^_`|~".utf8.contains(byte)
        }
    }
}
