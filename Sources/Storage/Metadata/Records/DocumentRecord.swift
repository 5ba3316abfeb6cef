import DocIntakeAPI
import Foundation
import GRDB

/// One uploaded document in one slot of an application. A replaced document stays, marked
/// superseded, so reviewers see the history.
public struct DocumentRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "documents"

    /// Row id, set on insert.
    public var id: Int64?
    /// The application it belongs to.
    public var applicationId: String
    /// Which of the two documents it is.
    public var slot: DocumentSlot
    /// The content address of its bytes.
    public var blobSha256: String
    /// Bytes.
    public var size: Int64
    /// The name the applicant's client sent, as UTF-8; never used to build a server path.
    public var originalFilename: String
    /// `pdf`, `png`, `xls` or `xlsx`, as the Scanner decided: the raw value of the Scanner's `DocumentType`,
    /// kept a String because Storage knows nothing of the Scanner.
    public var detectedType: String
    /// The canonical MIME type of `detectedType`.
    public var mimeType: String
    /// When it arrived.
    public var uploadedAt: Date
    /// When a replacement made it historical; nil while current.
    public var supersededAt: Date?
    /// When a rescan with newer signatures found malware in it (隔離): it is never served again,
    /// and its applicant is asked for a new file. Nil for every document that was never found.
    public var quarantinedAt: Date?

    /// A newly uploaded, current document.
    public init(
        applicationId: String, slot: DocumentSlot, blobSha256: String, size: Int64, originalFilename: String,
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

    /// The table's columns, for queries.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let applicationId = Column(CodingKeys.applicationId)
        public static let slot = Column(CodingKeys.slot)
        public static let blobSha256 = Column(CodingKeys.blobSha256)
        public static let uploadedAt = Column(CodingKeys.uploadedAt)
        public static let supersededAt = Column(CodingKeys.supersededAt)
        public static let quarantinedAt = Column(CodingKeys.quarantinedAt)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
