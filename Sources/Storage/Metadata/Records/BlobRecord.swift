import Foundation
import GRDB

/// A stored blob known to the metadata: documents reference it by its SHA-256. The row is
/// written in the transaction that first references the blob and deleted by garbage collection
/// together with the file.
public struct BlobRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "blobs"

    /// The blob's name: lower-case hex SHA-256.
    public var sha256: String
    /// Bytes.
    public var size: Int64
    /// When the first document referencing it was committed.
    public var createdAt: Date

    /// A row for a blob first referenced at `createdAt`.
    public init(sha256: String, size: Int64, createdAt: Date) {
        self.sha256 = sha256
        self.size = size
        self.createdAt = createdAt
    }

    /// The table's columns, for queries.
    public enum Columns {
        public static let size = Column(CodingKeys.size)
    }
}
