/// The body of an `application/problem+json` error (RFC 9457; `Problem` in openapi.yaml): a stable
/// machine code and what to do, in Japanese (`detail`) and English (`detail_en`), with every field
/// error at once. The server always sends every property; they are optional so that the reviewer
/// client still reads a problem that a proxy or an older server wrote without some of them.
public struct ProblemDetails: Sendable, Codable, Equatable {
    /// `/problems/<code>`.
    public var type: String?
    /// A short summary, the HTTP reason phrase.
    public var title: String?
    /// The HTTP status, repeated inside the body.
    public var status: Int?
    /// A stable machine code such as `status_conflict`.
    public var code: String?
    /// The explanation in Japanese.
    public var detail: String?
    /// The explanation in English.
    public var detailEn: String?
    /// The field errors, every one at once.
    public var errors: [FieldMessage]?

    /// A problem body.
    public init(
        type: String? = nil, title: String? = nil, status: Int? = nil, code: String? = nil, detail: String? = nil,
        detailEn: String? = nil, errors: [FieldMessage]? = nil
    ) {
        self.type = type
        self.title = title
        self.status = status
        self.code = code
        self.detail = detail
        self.detailEn = detailEn
        self.errors = errors
    }

    enum CodingKeys: String, CodingKey {
        case type, title, status, code, detail, errors
        case detailEn = "detail_en"
    }
}
