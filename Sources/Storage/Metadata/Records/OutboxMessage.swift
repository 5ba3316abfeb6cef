import Foundation
import GRDB

/// A notice waiting to be sent, written in the same transaction as the event it announces,
/// so a notice is never lost; `eventKey` is unique and derived by the store from the event's
/// audit entry, so it is never queued twice.
public struct OutboxMessage: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "outbox"

    public var id: Int64?
    public var applicationId: String
    /// `submission`, `approval`, `return` or `rejection`.
    public var kind: String
    public var eventKey: String
    public var recipient: String
    /// What the template needs, as JSON. Never holds the 秘密の番号 or a token.
    public var payload: String
    public var createdAt: Date
    public var attempts: Int
    public var nextAttemptAt: Date
    public var sentAt: Date?
    public var lastError: String?

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

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
