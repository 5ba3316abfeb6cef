import Foundation

/// One row of the review queue.
public struct ApplicationSummary: Sendable, Codable, Equatable {
    /// The application's ID, which the other commands take.
    public var id: String
    /// The receipt number the applicant was given (受付番号).
    public var receiptNumber: String
    /// An `ApplicationStatus` raw value; a string, so that a status the client does not know is
    /// shown as sent rather than failing the whole listing.
    public var status: String
    /// `workplace_clinic`, `medical`, …
    public var institutionKind: String
    /// 医療機関等名.
    public var institutionName: String
    /// When it was submitted.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// How many current documents it has (the server always sends it).
    public var documentCount: Int?
    /// When the applicant last resubmitted it after a return (再申請), if ever.
    public var resubmittedAt: Date?

    /// One row.
    public init(
        id: String, receiptNumber: String, status: String, institutionKind: String, institutionName: String,
        createdAt: Date, updatedAt: Date, documentCount: Int?, resubmittedAt: Date?
    ) {
        self.id = id
        self.receiptNumber = receiptNumber
        self.status = status
        self.institutionKind = institutionKind
        self.institutionName = institutionName
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.documentCount = documentCount
        self.resubmittedAt = resubmittedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, status
        case receiptNumber = "receipt_number"
        case institutionKind = "institution_kind"
        case institutionName = "institution_name"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case documentCount = "document_count"
        case resubmittedAt = "resubmitted_at"
    }
}
