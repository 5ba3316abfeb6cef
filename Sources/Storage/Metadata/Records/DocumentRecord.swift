import Foundation
import GRDB

/// One uploaded document in one slot of an application. A replaced document stays, marked
/// superseded, so reviewers see the history.
public struct DocumentRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "documents"

    public var id: Int64?
    public var applicationId: String
    /// `opening_notification` (開設届の写し) or `opening_permit` (開設許可書の写し).
    public var slot: String
    public var blobSha256: String
    public var size: Int64
    /// The name the applicant's client sent, as UTF-8; never used to build a server path.
    public var originalFilename: String
    /// `pdf`, `png`, `xls` or `xlsx`, as the Scanner decided.
    public var detectedType: String
    public var mimeType: String
    public var uploadedAt: Date
    public var supersededAt: Date?

    public init(
        applicationId: String, slot: String, blobSha256: String, size: Int64, originalFilename: String,
        detectedType: String, mimeType: String, uploadedAt: Date
    ) {
        self.applicationId = applicationId
        self.slot = slot
        self.blobSha256 = blobSha256
        self.size = size
        self.originalFilename = originalFilename
        self.detectedType = detectedType
        self.mimeType = mimeType
        self.uploadedAt = uploadedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
