import Scanner

/// One invalid form field, reported with every other one in a single response; it goes on the
/// wire as `FieldMessage` (`Problem.details`).
struct FieldError: Sendable, Equatable {
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
}

extension FieldError {
    /// A document the Scanner refused, reported at its slot.
    init(_ slot: DocumentSlot, _ rejection: Rejection) {
        self.init(
            field: slot.rawValue, code: rejection.reason.rawValue, message: "\(slot.japaneseName): \(rejection.messageJa)",
            messageEn: rejection.messageEn)
    }
}
