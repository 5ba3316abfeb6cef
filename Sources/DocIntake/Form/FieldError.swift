import Scanner

/// One invalid form field, reported with every other one in a single response.
struct FieldError: Sendable, Equatable, Codable {
    /// The form field (or file part) name.
    var field: String
    /// A stable machine code: `required`, `format`, `mismatch`, `not_allowed`, `too_long`, `invalid_choice`,
    /// `duplicate_field`, or a document rejection reason such as `macro_enabled`.
    var code: String
    /// What to do, in Japanese.
    var message: String
    /// The same in English.
    var messageEn: String

    init(field: String, code: String, message: String, messageEn: String) {
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

extension FieldError {
    /// A document the Scanner refused, reported at its slot.
    init(_ slot: DocumentSlot, _ rejection: Rejection) {
        self.init(field: slot.rawValue, code: rejection.reason.rawValue, message: "\(slot.japaneseName): \(rejection.messageJa)",
                  messageEn: rejection.messageEn)
    }
}

/// Something accepted but worth telling the applicant, such as a check-digit mismatch.
struct FormWarning: Sendable, Equatable, Codable {
    var field: String
    var code: String
    var message: String
    var messageEn: String

    enum CodingKeys: String, CodingKey {
        case field, code, message
        case messageEn = "message_en"
    }
}
