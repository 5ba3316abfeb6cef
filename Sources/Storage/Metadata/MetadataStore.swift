import Foundation

/// The metadata of applications, documents, reviewers, the audit log and the outbox.
///
/// The embedded default is `SQLiteMetadataStore`; a PostgreSQL store can implement the same
/// protocol. Every method that changes state is one transaction. Methods that take a
/// `placingBlobs` closure run it inside the transaction, serialised with blob garbage collection,
/// so that a blob a new document row is about to reference cannot be collected in between.
public protocol MetadataStore: Sendable {
    /// Commits a new application with its documents, its audit entry and its notice, or nothing.
    func insertApplication(
        _ application: ApplicationRecord, documents: [DocumentRecord], audit: AuditEntry,
        notice: OutboxMessage?, placingBlobs: () throws -> Void
    ) throws

    /// The application with this id, if any.
    func application(id: String) throws -> ApplicationRecord?

    /// Every document of an application, current and superseded, oldest first.
    func documents(applicationId: String) throws -> [DocumentRecord]

    /// The audit log of an application, oldest first.
    func auditLog(applicationId: String) throws -> [AuditEntry]

    /// Makes `document` the current one of its slot, marking the previous one superseded, if the
    /// application's status is one of `allowedStatuses`; otherwise throws `.statusConflict`.
    func replaceDocument(
        _ document: DocumentRecord, allowedStatuses: Set<String>, audit: AuditEntry,
        placingBlob: () throws -> Void
    ) throws

    /// Moves an application from one of `from` to `to`, recording `audit` and queueing `notice`.
    /// Throws `.notFound`, or `.statusConflict` when the current status is not in `from`.
    @discardableResult
    func transition(
        applicationId: String, from: Set<String>, to: String, audit: AuditEntry, notice: OutboxMessage?
    ) throws -> ApplicationRecord

    /// Applications in any of `statuses` (all when nil), in the order they were received, after
    /// the position `after` (exclusive), each with its own position for the next page.
    func applications(statuses: Set<String>?, after: Int64?, limit: Int) throws -> [ListedApplication]

    /// The total size of the blobs the metadata knows, for the blob-store gauge.
    func storedBlobBytes() throws -> Int64

    /// Appends an entry that is not part of a state change, such as a document download.
    func appendAudit(_ entry: AuditEntry) throws

    /// Registers a reviewer; throws `.duplicateReviewer` if the name is taken.
    func addReviewer(_ reviewer: ReviewerRecord) throws

    /// Every reviewer, revoked ones included.
    func reviewers() throws -> [ReviewerRecord]

    /// Revokes a reviewer's token at `at`. Returns false if no active reviewer has that name.
    func revokeReviewer(name: String, at: Date) throws -> Bool

    /// The active (not revoked) reviewer whose token hashes to `tokenHash`.
    func activeReviewer(tokenHash: String) throws -> ReviewerRecord?
}

/// An application with its position in the order applications were received: a stable,
/// exact cursor for paging (timestamps can tie and lose precision on the way through text).
public struct ListedApplication: Sendable, Equatable {
    public var position: Int64
    public var record: ApplicationRecord
}

/// Why a metadata operation was refused.
public enum MetadataStoreError: Error, Sendable, Equatable {
    case notFound
    /// The application is in `current`, from which the requested change is not allowed.
    case statusConflict(current: String)
    case duplicateReceiptNumber
    case duplicateReviewer
    /// The database's file system is full; the transaction was rolled back.
    case noSpace
}
