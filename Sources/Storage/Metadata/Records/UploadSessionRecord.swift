import DocIntakeAPI
import Foundation
import GRDB

/// One resumable upload of one document, as the metadata store keeps it: protocol-neutral (tus
/// today, the IETF draft later), so it holds offsets and a verdict, never protocol headers.
///
/// The session's id is its secret (whoever holds it may append to it and use it), so only its
/// SHA-256 is stored, as `idHash`.
public struct UploadSessionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "upload_sessions"

    /// Where an upload stands.
    public enum State: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        /// Bytes are still arriving (`offset < length`).
        case receiving
        /// Complete, and the checks passed: it may be named by one application form.
        case accepted
        /// A check refused it; its bytes are gone.
        case refused
        /// An application took its document; its bytes were placed as a blob.
        case used
    }

    /// SHA-256 (hex) of the session's id.
    public var idHash: String
    /// The document slot it is for.
    public var slot: DocumentSlot
    /// The length declared at creation, in bytes.
    public var length: Int64
    /// How many bytes are durably written: it moves only after an fsync.
    public var offset: Int64
    /// The client's file name, for the reviewer (never a server path).
    public var filename: String
    public var createdAt: Date
    /// After this it is swept, whatever its state, and can no longer be used.
    public var expiresAt: Date
    public var state: State
    /// Set when accepted: the detected type (`pdf`, `png`, …: the Scanner's `DocumentType`, which Storage does not
    /// know) and the bytes' SHA-256 (hex).
    public var detectedType: String?
    public var sha256: String?
    /// Set when refused: the machine code and what the applicant reads, in Japanese and English.
    public var refusalCode: String?
    public var refusalMessage: String?
    public var refusalMessageEn: String?
    /// Who is appending now (one request at a time), and until when its lease holds: a stalled
    /// request's lease runs out and the next one takes over.
    public var leaseHolder: String?
    public var leaseExpiresAt: Date?
    /// Where the bytes are for every server (S3-resident sessions): one segment per request that
    /// moved the offset, in order, ending at `offset`. Empty when the bytes are local to a server.
    public var segments: [UploadSegment]

    /// A new, empty session in `receiving`.
    public init(idHash: String, slot: DocumentSlot, length: Int64, filename: String, createdAt: Date, expiresAt: Date) {
        self.idHash = idHash
        self.slot = slot
        self.length = length
        self.offset = 0
        self.filename = filename
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.state = .receiving
        self.segments = []
    }

    /// The table's columns, for queries.
    public enum Columns {
        public static let idHash = Column(CodingKeys.idHash)
        public static let expiresAt = Column(CodingKeys.expiresAt)
    }

    /// Whether `holder` may not take the lease at `now`: another holder's lease still runs.
    public func isLeased(againstHolder holder: String, at now: Date) -> Bool {
        guard let leaseHolder, let leaseExpiresAt else { return false }
        return leaseHolder != holder && leaseExpiresAt > now
    }
}

/// A run of a resumable upload's bytes that one request made durable, kept in shared storage (an
/// object in the bucket) so that a request on any server can continue the upload. Segments are
/// immutable and named uniquely: a stalled request that writes one after losing its lease leaves
/// an object no session lists, which goes with the session's others.
public struct UploadSegment: Codable, Sendable, Equatable {
    /// Where the run starts in the upload.
    public var offset: Int64
    public var length: Int64
    /// SHA-256 (hex) of the run, checked whenever it is read back.
    public var sha256: String
    /// Its object key.
    public var key: String

    /// A segment of `length` bytes at `offset`.
    public init(offset: Int64, length: Int64, sha256: String, key: String) {
        self.offset = offset
        self.length = length
        self.sha256 = sha256
        self.key = key
    }

    /// Where the run ends (exclusive).
    public var end: Int64 { offset + length }
}
