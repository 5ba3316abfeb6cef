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

    /// The id of the application with this 受付番号, if any.
    func applicationId(receiptNumber: String) throws -> String?

    /// Every document of an application, current and superseded, oldest first.
    func documents(applicationId: String) throws -> [DocumentRecord]

    /// The audit log of an application, oldest first.
    func auditLog(applicationId: String) throws -> [AuditEntry]

    /// For each of `applicationIds` that has an audit entry with `action`, when the latest such
    /// entry (the last one appended) was made: one query for a whole page of a listing, where
    /// reading every row's audit log would be one query per row.
    func lastAudit(action: String, applicationIds: [String]) throws -> [String: Date]

    /// Makes `document` the current one of its slot, marking the previous one superseded, if the
    /// application's status is one of `allowedStatuses`; otherwise throws `.statusConflict`.
    func replaceDocument(
        _ document: DocumentRecord, allowedStatuses: Set<String>, audit: AuditEntry,
        placingBlob: () throws -> Void
    ) throws

    /// Stores the applicant's corrections of `corrected`'s form fields (申請内容の修正) with `audit`, if
    /// the application's status is one of `allowedStatuses`; otherwise throws `.statusConflict`. The
    /// status, the secret hash, the token hash and the times other than `updatedAt` are left as stored.
    func correctFields(_ corrected: ApplicationRecord, allowedStatuses: Set<String>, audit: AuditEntry) throws

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

    /// Queues a notice that follows no state change (such as a fresh access link), with `audit`.
    func queueNotice(_ notice: OutboxMessage, audit: AuditEntry) throws

    /// Replaces an application's access token (by its hash), with `audit`: the previous token stops
    /// working at once. Throws `.notFound` when there is no such application.
    func replaceAccessToken(applicationId: String, tokenHash: String, audit: AuditEntry) throws

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

    // MARK: Retention

    /// Applications in any of `statuses`, each with all its document rows and its legal hold,
    /// read in one snapshot, oldest first.
    func retentionCandidates(statuses: Set<String>) throws -> [RetentionCandidate]

    /// Deletes every document row of one application and writes a deletion record for each,
    /// closing the application first when asked, in one write transaction that first repeats
    /// the checks the job's judgement rested on (status, status time, no hold).
    func expireDocuments(_ expiry: DocumentExpiry) throws -> DocumentExpiryOutcome

    /// Deletion records, oldest first: of one application, or all when `applicationId` is nil.
    func deletionRecords(applicationId: String?) throws -> [DeletionRecord]

    /// Puts an application under legal hold, or replaces the reason of its hold, with `audit`.
    /// Throws `.notFound` when there is no such application.
    func setLegalHold(_ hold: LegalHold, audit: AuditEntry) throws

    /// Lifts the hold on an application, with `audit`. Returns false when none stood; throws
    /// `.notFound` when there is no such application.
    func clearLegalHold(applicationId: String, audit: AuditEntry) throws -> Bool

    /// Every standing legal hold, oldest first.
    func legalHolds() throws -> [LegalHold]

    // MARK: Blob garbage collection and scrub

    /// Every blob row with the number of document rows that reference it.
    func blobUsage() throws -> [BlobUsage]

    /// The garbage-collection step for one blob, under the same write lock that uploads take to
    /// place blobs: if no document row references `sha256` and its row (if any) was created at
    /// or before `cutoff`, runs `removingFile` with the row, and when that reports the file gone,
    /// deletes the row too. Returns whether the blob was collected. An upload deduplicating onto
    /// the blob therefore either committed first (and the blob is referenced) or comes after
    /// (and places its own copy).
    func collectBlob(sha256: String, createdAtOrBefore cutoff: Date, removingFile: (BlobRecord?) throws -> Bool) throws -> Bool

    // MARK: Outbox (notices)

    /// Claims up to `limit` undelivered notices due at `now`, oldest first, in one write
    /// transaction: each one's next attempt moves to `leasedUntil` and its attempt count goes up,
    /// so another server polling the same database skips it while this one delivers it. A server
    /// that dies mid-delivery only delays the notice until the lease runs out.
    func claimDueNotices(now: Date, leasedUntil: Date, limit: Int) throws -> [OutboxMessage]

    /// Marks a notice delivered; a delivered notice is never claimed again.
    func markNoticeSent(id: Int64, at: Date) throws

    /// Records why a delivery attempt failed and when the notice is due again.
    func recordNoticeFailure(id: Int64, error: String, retryAt: Date) throws

    /// Every notice of one application (or, when nil, every undelivered notice), oldest first.
    func notices(applicationId: String?) throws -> [OutboxMessage]

    /// Every delivered notice, oldest first: the retention job deletes their `.eml` files.
    func deliveredNotices() throws -> [OutboxMessage]

    // MARK: Rescan

    /// Quarantines an application's infected current documents and, when its status is one of
    /// `returnFrom`, returns it to its applicant: all in one write transaction.
    func quarantine(_ quarantine: DocumentQuarantine) throws -> DocumentQuarantineOutcome

    // MARK: Job runs and leases

    /// Takes (or renews) the lease on `job` for `holder` until `expiresAt`, unless another holder
    /// has one that runs past `now`. Returns whether `holder` now holds it.
    func acquireJobLease(job: String, holder: String, now: Date, expiresAt: Date) throws -> Bool

    /// Gives up `holder`'s lease on `job`, if it still has it.
    func releaseJobLease(job: String, holder: String) throws

    /// The lease on `job` as stored, expired or not.
    func jobLease(job: String) throws -> JobLease?

    /// Records a finished maintenance run.
    func recordJobRun(_ run: JobRunRecord) throws

    /// The latest recorded run of `job`.
    func lastJobRun(job: String) throws -> JobRunRecord?
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
    /// The database was migrated by a newer version of DocIntake (it lists migrations this one
    /// does not know); opening it could corrupt data the newer version relies on.
    case schemaTooNew(unknownMigrations: [String])
    /// The database's file system is full; the transaction was rolled back.
    case noSpace
}
