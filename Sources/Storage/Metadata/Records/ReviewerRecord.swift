import Foundation
import GRDB

/// An agency reviewer (審査担当者) allowed to use the review API. Only the token's hash is kept.
public struct ReviewerRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "reviewers"

    public var id: Int64?
    public var name: String
    public var tokenHash: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(name: String, tokenHash: String, createdAt: Date) {
        self.name = name
        self.tokenHash = tokenHash
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
