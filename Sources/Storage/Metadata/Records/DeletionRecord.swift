import DocIntakeAPI
import Foundation
import GRDB

/// What retention removed: one document row, remembered after the row itself is gone, so that
/// anyone can later tell what was deleted, which bytes it was, when, under which rule and by whom.
/// The schema refuses updates and deletes of these rows.
public struct DeletionRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "deletion_records"

    /// Row id, set on insert.
    public var id: Int64?
    /// The application the document belonged to (its row stays).
    public var applicationId: String
    /// The id the document row had.
    public var documentId: Int64
    /// Which of the two documents it was.
    public var slot: DocumentSlot
    /// The blob the document used.
    public var sha256: String
    /// Bytes.
    public var size: Int64
    /// `pdf`, `png`, `xls` or `xlsx` (the Scanner's `DocumentType`, which Storage does not know). The original
    /// file name is deliberately not kept.
    public var detectedType: String
    /// When the applicant uploaded it.
    public var uploadedAt: Date
    /// Whether the document had already been replaced by a newer one in its slot.
    public var wasSuperseded: Bool
    /// When the row was deleted (the wall clock, also when the rules ran for another date).
    public var deletedAt: Date
    /// The retention rule that removed it, e.g. `approved`, `rejected`, `withdrawn`, `returned`: the service's
    /// `RetentionRule`, which Storage does not know.
    public var rule: String
    /// `operator:<user>` or `system`, as in the audit log.
    public var actor: String
    /// The user name of the account that ran the job.
    public var operatorUser: String

    /// The record of deleting `document` now.
    public init(deleting document: DocumentRecord, at deletedAt: Date, rule: String, actor: String, operatorUser: String) {
        self.applicationId = document.applicationId
        self.documentId = document.id ?? 0
        self.slot = document.slot
        self.sha256 = document.blobSha256
        self.size = document.size
        self.detectedType = document.detectedType
        self.uploadedAt = document.uploadedAt
        self.wasSuperseded = document.supersededAt != nil
        self.deletedAt = deletedAt
        self.rule = rule
        self.actor = actor
        self.operatorUser = operatorUser
    }

    /// The table's columns, for queries.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let applicationId = Column(CodingKeys.applicationId)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
