import Foundation

/// A reviewer's bearer token. It is sent in the `Authorization` header and nowhere else: its
/// descriptions are redacted so that no log line, error message or debugger print can show it.
public struct BearerToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String

    /// Accepts a token as the operator handed it out (`dir_…`). Surrounding whitespace is dropped
    /// (a pasted line break is common); a token with any other character is refused, so that it
    /// cannot smuggle extra header lines into the request.
    public init(_ text: String) throws(ReviewError) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw .missingToken }
        // RFC 6750's b64token alphabet, which covers our base64url tokens and their `dir_` prefix.
        let allowed = value.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "-._~+/=".unicodeScalars.contains($0)
        }
        guard allowed else { throw .malformedToken }
        self.value = value
    }

    /// Whether this looks like an applicant's token, which the review API refuses with 403.
    public var isApplicantToken: Bool { value.hasPrefix("dia_") }

    /// Never the token itself.
    public var description: String { "BearerToken(****)" }

    /// Never the token itself.
    public var debugDescription: String { description }
}
