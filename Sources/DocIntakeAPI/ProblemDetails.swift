/// The body of an `application/problem+json` error (RFC 9457) as the DocIntake server writes it:
/// a stable code and the explanation in Japanese (`detail`) and English (`detail_en`).
public struct ProblemDetails: Sendable, Codable, Equatable {
    /// The HTTP status the server reported inside the body.
    public var status: Int?
    /// A stable machine code such as `status_conflict`.
    public var code: String?
    /// A short summary, the HTTP reason phrase.
    public var title: String?
    /// The explanation in Japanese.
    public var detail: String?
    /// The explanation in English.
    public var detailEn: String?
    /// The field errors, every one at once.
    public var errors: [FieldProblem]?

    /// One field's error.
    public struct FieldProblem: Sendable, Codable, Equatable {
        /// The field's API name.
        public var field: String?
        /// A stable machine code such as `required`.
        public var code: String?
        /// The message in Japanese.
        public var message: String?
        /// The message in English.
        public var messageEn: String?

        enum CodingKeys: String, CodingKey {
            case field, code, message
            case messageEn = "message_en"
        }
    }

    enum CodingKeys: String, CodingKey {
        case status, code, title, detail, errors
        case detailEn = "detail_en"
    }

    /// The lines a person should read: both languages, then each field error.
    var explanation: [String] {
        var lines: [String] = []
        if let detail, !detail.isEmpty { lines.append(detail) }
        if let detailEn, !detailEn.isEmpty { lines.append(detailEn) }
        for error in errors ?? [] {
            let text = [error.message, error.messageEn].compactMap { $0 }.joined(separator: " / ")
            lines.append("  \(error.field ?? "?"): \(text)")
        }
        return lines.map(TerminalText.clean)
    }
}
