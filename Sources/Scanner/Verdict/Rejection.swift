/// A refused upload: the stable reason, what the applicant should do (in Japanese and English),
/// and a technical detail for the logs.
public struct Rejection: Error, Sendable, Equatable {
    /// The stable reason code.
    public var reason: RejectionReason
    /// The message shown to the applicant, in Japanese.
    public var messageJa: String
    /// The message shown to the applicant, in English.
    public var messageEn: String
    /// What exactly was found, for logs and support; never shown as the applicant's message.
    public var detail: String?

    /// A rejection for `reason`, with the applicant messages from ``RejectionMessages``.
    public init(_ reason: RejectionReason, detail: String? = nil) {
        let messages = RejectionMessages.messages(for: reason)
        self.reason = reason
        self.messageJa = messages.ja
        self.messageEn = messages.en
        self.detail = detail
    }

    /// A JPEG or HEIC photo: not an allowed type, with a message that says how to send a photo instead.
    static func photo(detail: String) -> Rejection {
        var rejection = Rejection(.typeNotAllowed, detail: detail)
        (rejection.messageJa, rejection.messageEn) = RejectionMessages.photo
        return rejection
    }
}
