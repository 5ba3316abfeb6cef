import Foundation

/// A `Content-Range: bytes first-last/complete` header of a 206 response (RFC 9110 §14.4).
public struct ContentRange: Sendable, Equatable {
    /// The offset of the first byte sent.
    public var first: Int64
    /// The offset of the last byte sent.
    public var last: Int64
    /// The whole document's size.
    public var complete: Int64

    /// Parses a satisfied range; nil for anything else, an unknown length (`/*`) included.
    public init?(_ header: String) {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = text.dropFirst("bytes ".count)
        let rangeAndLength = spec.split(separator: "/", omittingEmptySubsequences: false)
        guard rangeAndLength.count == 2 else { return nil }
        let bounds = rangeAndLength[0].split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2,
            let first = Self.number(bounds[0]), let last = Self.number(bounds[1]),
            let complete = Self.number(rangeAndLength[1]),
            first <= last, last < complete
        else { return nil }
        self.first = first
        self.last = last
        self.complete = complete
    }

    /// Digits only: `Int64("+5")` would accept a sign the grammar does not allow.
    private static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int64(text)
    }
}
