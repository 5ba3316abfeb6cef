import Foundation
import GRDB

/// One line of the append-only audit log: who did what to which application, when and why.
/// The schema refuses updates and deletes of these rows.
public struct AuditEntry: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "audit_log"

    public var id: Int64?
    public var applicationId: String?
    public var at: Date
    /// `applicant`, `reviewer:<name>`, `operator:<user>` or `system`.
    public var actor: String
    /// What happened, e.g. `submit`, `replace_document`, `claim`, `approve`, `download`.
    public var action: String
    public var fromStatus: String?
    public var toStatus: String?
    public var reason: String?
    /// Extra facts as JSON, e.g. the slot and digest of a document.
    public var detail: String?

    public init(
        applicationId: String?, at: Date, actor: String, action: String, fromStatus: String? = nil,
        toStatus: String? = nil, reason: String? = nil, detail: String? = nil
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

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
