/// A message about one form field: a warning on something accepted but worth telling the applicant,
/// such as a check-digit mismatch (`Warning` in openapi.yaml), or one field's error in a problem
/// (`Problem.errors`). The server always sends every property; they are optional so that the
/// reviewer client still shows a message that lacks one.
public struct FieldMessage: Sendable, Codable, Equatable {
    /// The form field (or file part) it concerns.
    public var field: String?
    /// A stable machine code.
    public var code: String?
    /// The message in Japanese.
    public var message: String?
    /// The message in English.
    public var messageEn: String?

    /// One message.
    public init(field: String?, code: String?, message: String?, messageEn: String?) {
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
