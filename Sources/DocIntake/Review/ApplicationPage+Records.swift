import Foundation
import Storage

extension ApplicationSummary {
    /// One application as a row of the reviewers' list.
    init(_ record: ApplicationRecord, documentCount: Int, resubmittedAt: Date?) {
        self.init(
            id: record.id, receiptNumber: record.receiptNumber, status: record.status.rawValue,
            institutionKind: record.institutionKind.rawValue,
            institutionName: record.institutionName, createdAt: record.createdAt, updatedAt: record.updatedAt,
            documentCount: documentCount, resubmittedAt: resubmittedAt)
    }
}
