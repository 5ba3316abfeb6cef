import Foundation
import Storage

/// One page of the reviewers' application list, with an opaque cursor to the next page.
struct ReviewListPage: Sendable, Codable, Equatable {
    /// One application as a list row.
    struct Item: Sendable, Codable, Equatable {
        var id: String
        var receiptNumber: String
        var status: String
        var institutionKind: String
        var institutionName: String
        var createdAt: Date
        var updatedAt: Date
        var documentCount: Int
        /// When the applicant last resubmitted it after a return (再申請), if ever.
        var resubmittedAt: Date?

        init(_ record: ApplicationRecord, documentCount: Int, resubmittedAt: Date?) {
            id = record.id
            receiptNumber = record.receiptNumber
            status = record.status
            institutionKind = record.institutionKind
            institutionName = record.institutionName
            createdAt = record.createdAt
            updatedAt = record.updatedAt
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

    var applications: [Item]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case applications
        case nextCursor = "next_cursor"
    }
}
