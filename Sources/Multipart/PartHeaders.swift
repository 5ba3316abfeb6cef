/// The headers of one part, as the client sent them, with Content-Disposition parsed.
public struct PartHeaders: Sendable, Equatable {
    /// One header line: the name keeps the client's case, the value is unfolded and trimmed.
    public struct Field: Sendable, Equatable {
        /// The header name, e.g. `Content-Type`.
        public var name: String
        /// The header value without surrounding whitespace.
        public var value: String

        /// Creates a header field, e.g. for tests of code that consumes parts.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The form field name: Content-Disposition's `name` parameter, never empty.
    public var name: String
    /// The filename the client declared, unsanitised: `filename*` (RFC 5987) wins over
    /// `filename`. Nil for a plain field; empty when a browser sends no file for an input.
    public var filename: String?
    /// The part's Content-Type value as sent, or nil when absent.
    public var contentType: String?
    /// Every header line in the order sent, for anything the properties above don't cover.
    public var fields: [Field]

    /// Creates headers, e.g. for tests of code that consumes parts.
    public init(name: String, filename: String? = nil, contentType: String? = nil, fields: [Field] = []) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.fields = fields
    }
}
