/// Why a body was rejected; once thrown, the parser keeps throwing it.
public struct MultipartError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable for callers to map onto HTTP responses and metrics.
    public enum Code: String, Sendable, Equatable {
        /// The boundary is not 1–70 RFC 2046 boundary characters.
        case invalidBoundary
        /// A boundary is followed by something other than `--`, transport padding or CRLF.
        case malformedDelimiter
        /// A header line or the Content-Disposition value does not parse, or is ambiguous.
        case malformedHeaders
        /// A part's header section exceeds `MultipartLimits.maxHeaderBytesPerPart`.
        case headersTooLarge
        /// The body has more than `MultipartLimits.maxParts` parts.
        case tooManyParts
        /// A filename exceeds `MultipartLimits.maxFilenameBytes`.
        case filenameTooLong
        /// More than `MultipartLimits.maxPreambleBytes` arrive before the first boundary.
        case preambleTooLarge
        /// More than `MultipartLimits.maxEpilogueBytes` arrive after the closing boundary.
        case epilogueTooLarge
        /// A part has no Content-Disposition header.
        case missingContentDisposition
        /// A part's Content-Disposition has no `name`, or an empty one.
        case missingName
        /// The input ended before the closing boundary.
        case unexpectedEnd
    }

    /// The kind of failure.
    public var code: Code
    /// What exactly was wrong, for logs; not meant for clients.
    public var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The code and the message, for logs.
    public var description: String { "\(code.rawValue): \(message)" }
}
