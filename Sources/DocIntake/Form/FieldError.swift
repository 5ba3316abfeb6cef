/// One invalid form field, reported with every other one in a single response.
public struct FieldError: Sendable, Equatable, Codable {
    /// The form field (or file part) name.
    public var field: String
    /// A stable machine code: `required`, `format`, `mismatch`, `not_allowed`, `too_long`, `invalid_choice`,
    /// `duplicate_field`, or a document rejection reason such as `macro_enabled`.
    public var code: String
    /// What to do, in Japanese.
    public var message: String
    /// The same in English.
    public var messageEn: String

    public init(field: String, code: String, message: String, messageEn: String) {
        self.field = field
        self.code = code
        self.message = message
        self.messageEn = messageEn
    }

    enum CodingKeys: String, CodingKey {
        case field, code, message
        case messageEn = "message_en"
    }
}

/// Something accepted but worth telling the applicant, such as a check-digit mismatch.
public struct FormWarning: Sendable, Equatable, Codable {
    public var field: String
    public var code: String
    public var message: String
    public var messageEn: String

    enum CodingKeys: String, CodingKey {
        case field, code, message
        case messageEn = "message_en"
    }
}
