import Foundation
import GRDB

/// An agency reviewer (審査担当者) allowed to use the review API. Only the token's hash is kept.
public struct ReviewerRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "reviewers"

    /// Row id, set on insert.
    public var id: Int64?
    /// Shown in the audit log as `reviewer:<name>`.
    public var name: String
    /// SHA-256 of the reviewer's token.
    public var tokenHash: String
    /// When the operator created it.
    public var createdAt: Date
    /// When it was revoked; nil while active.
    public var revokedAt: Date?

    /// A new, active reviewer.
    public init(name: String, tokenHash: String, createdAt: Date) {
        self.name = name
        self.tokenHash = tokenHash
        self.createdAt = createdAt
    }

    /// The table's columns, for queries.
    public enum Columns {
        public static let name = Column(CodingKeys.name)
        public static let tokenHash = Column(CodingKeys.tokenHash)
        public static let revokedAt = Column(CodingKeys.revokedAt)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
