import Foundation
import Storage

/// One page of the reviewers' application list, with an opaque cursor to the next page.
public struct ReviewListPage: Sendable, Codable, Equatable {
    /// One application as a list row.
    public struct Item: Sendable, Codable, Equatable {
        public var id: String
        public var receiptNumber: String
        public var status: String
        public var institutionKind: String
        public var institutionName: String
        public var createdAt: Date
        public var updatedAt: Date
        public var documentCount: Int

        init(_ record: ApplicationRecord, documentCount: Int) {
            id = record.id
            receiptNumber = record.receiptNumber
            status = record.status
            institutionKind = record.institutionKind
            institutionName = record.institutionName
            createdAt = record.createdAt
            updatedAt = record.updatedAt
            self.documentCount = documentCount
        }

        enum CodingKeys: String, CodingKey {
            case id, status
            case receiptNumber = "receipt_number"
            case institutionKind = "institution_kind"
            case institutionName = "institution_name"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
            case documentCount = "document_count"
        }
    }

    public var applications: [Item]
    public var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case applications
        case nextCursor = "next_cursor"
    }
}
