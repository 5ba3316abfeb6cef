import DocIntakeAPI
import Foundation
import GRDB

/// One line of the append-only audit log: who did what to which application, when and why.
/// The schema refuses updates and deletes of these rows.
public struct AuditEntry: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "audit_log"

    /// Row id, set on insert.
    public var id: Int64?
    /// The application concerned, if any.
    public var applicationId: String?
    /// When it happened.
    public var at: Date
    /// `applicant`, `reviewer:<name>`, `operator:<user>` or `system`.
    public var actor: String
    /// What happened (the service's vocabulary, so a String here), e.g. `submit`, `replace_document`, `claim`, `approve`, `download`.
    public var action: String
    /// The status before a transition.
    public var fromStatus: ApplicationStatus?
    /// The status after a transition.
    public var toStatus: ApplicationStatus?
    /// The reviewer's reason, for a return or a rejection.
    public var reason: String?
    /// Extra facts as JSON, e.g. the slot and digest of a document.
    public var detail: String?

    /// An entry to append.
    public init(
        applicationId: String?, at: Date, actor: String, action: String, fromStatus: ApplicationStatus? = nil,
        toStatus: ApplicationStatus? = nil, reason: String? = nil, detail: String? = nil
    ) {
        self.applicationId = applicationId
        self.at = at
        self.actor = actor
        self.action = action
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.reason = reason
        self.detail = detail
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
