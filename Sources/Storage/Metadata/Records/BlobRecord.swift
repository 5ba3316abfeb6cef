import Foundation
import GRDB

/// A stored blob known to the metadata: documents reference it by its SHA-256.
public struct BlobRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "blobs"

    public var sha256: String
    public var size: Int64
    public var createdAt: Date

    public init(sha256: String, size: Int64, createdAt: Date) {
        self.sha256 = sha256
        self.size = size
        self.createdAt = createdAt
    }
}
