import Foundation
import Storage

/// What the applicant gets back after a successful submission (201).
struct SubmissionReceipt: Sendable, Codable, Equatable {
    var id: String
    /// 受付番号
    var receiptNumber: String
    var status: ApplicationStatus
    /// The applicant's token: shown this once, stored only as a hash.
    var accessToken: String
    var warnings: [FormWarning]
    var documents: [DocumentSummary]

    enum CodingKeys: String, CodingKey {
        case id, status, warnings, documents
        case receiptNumber = "receipt_number"
        case accessToken = "access_token"
    }
}

/// One document as the applicant and the reviewer see it.
struct DocumentSummary: Sendable, Codable, Equatable {
    var slot: String
    var filename: String
    var size: Int64
    var sha256: String
    var type: String
    var uploadedAt: Date?
    var supersededAt: Date?
    /// When a rescan found malware in it (隔離): it is never served, and the applicant is asked for a new file.
    var quarantinedAt: Date?

    init(_ record: DocumentRecord) {
        slot = record.slot
        filename = record.originalFilename
        size = record.size
        sha256 = record.blobSha256
        type = record.detectedType
        uploadedAt = record.uploadedAt
        supersededAt = record.supersededAt
        quarantinedAt = record.quarantinedAt
    }

    enum CodingKeys: String, CodingKey {
        case slot, filename, size, sha256, type
        case uploadedAt = "uploaded_at"
        case supersededAt = "superseded_at"
        case quarantinedAt = "quarantined_at"
    }
}
