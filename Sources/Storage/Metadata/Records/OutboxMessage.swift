import Foundation
import GRDB

/// A notice waiting to be sent, written in the same transaction as the event it announces,
/// so a notice is never lost; `eventKey` is unique and derived by the store from the event's
/// audit entry, so it is never queued twice.
public struct OutboxMessage: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "outbox"

    /// Row id, set on insert.
    public var id: Int64?
    /// The application the notice is about.
    public var applicationId: String
    /// `submission`, `approval`, `return` or `rejection`.
    public var kind: String
    /// Unique per event; set by the store from the audit entry.
    public var eventKey: String
    /// The applicant's contact address.
    public var recipient: String
    /// What the template needs, as JSON. Never holds the 秘密の番号 or a token.
    public var payload: String
    /// When the event happened.
    public var createdAt: Date
    /// Delivery attempts so far.
    public var attempts: Int
    /// When delivery may be tried next (backoff).
    public var nextAttemptAt: Date
    /// When it was delivered; nil while waiting.
    public var sentAt: Date?
    /// Why the last attempt failed.
    public var lastError: String?

    /// A notice to queue with its event.
    public init(applicationId: String, kind: String, recipient: String, payload: String, createdAt: Date) {
        self.applicationId = applicationId
        self.kind = kind
        self.eventKey = ""
        self.recipient = recipient
        self.payload = payload
        self.createdAt = createdAt
        self.attempts = 0
        self.nextAttemptAt = createdAt
    }

    /// The table's columns, for queries.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let applicationId = Column(CodingKeys.applicationId)
        public static let attempts = Column(CodingKeys.attempts)
        public static let nextAttemptAt = Column(CodingKeys.nextAttemptAt)
        public static let sentAt = Column(CodingKeys.sentAt)
        public static let lastError = Column(CodingKeys.lastError)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
