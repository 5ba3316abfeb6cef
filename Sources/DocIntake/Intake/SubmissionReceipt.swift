/// What the applicant gets back after a successful submission (201).
struct SubmissionReceipt: Sendable, Codable, Equatable {
    var id: String
    /// 受付番号
    var receiptNumber: String
    var status: ApplicationStatus
    /// The applicant's token: shown this once, stored only as a hash.
    var accessToken: String
    var warnings: [FieldMessage]
    var documents: [DocumentSummary]

    enum CodingKeys: String, CodingKey {
        case id, status, warnings, documents
        case receiptNumber = "receipt_number"
        case accessToken = "access_token"
    }
}
