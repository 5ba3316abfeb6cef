import Foundation
import Storage

/// What the applicant gets back after a successful submission (201).
public struct SubmissionReceipt: Sendable, Codable, Equatable {
    public var id: String
    /// 受付番号
    public var receiptNumber: String
    public var status: ApplicationStatus
    /// The applicant's token: shown this once, stored only as a hash.
    public var accessToken: String
    public var warnings: [FormWarning]
    public var documents: [DocumentSummary]

    enum CodingKeys: String, CodingKey {
        case id, status, warnings, documents
        case receiptNumber = "receipt_number"
        case accessToken = "access_token"
    }
}

/// One document as the applicant and the reviewer see it.
public struct DocumentSummary: Sendable, Codable, Equatable {
    public var slot: String
    public var filename: String
    public var size: Int64
    public var sha256: String
    public var type: String
    public var uploadedAt: Date?
    public var supersededAt: Date?

    init(_ record: DocumentRecord) {
        slot = record.slot
        filename = record.originalFilename
        size = record.size
        sha256 = record.blobSha256
        type = record.detectedType
        uploadedAt = record.uploadedAt
        supersededAt = record.supersededAt
    }

    enum CodingKeys: String, CodingKey {
        case slot, filename, size, sha256, type
        case uploadedAt = "uploaded_at"
        case supersededAt = "superseded_at"
    }
}
