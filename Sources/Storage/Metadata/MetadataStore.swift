import DocIntakeAPI
import Foundation

/// The metadata of applications, documents, reviewers, the audit log and the outbox: every seam
/// a backend implements, composed.
///
/// The embedded default is `SQLiteMetadataStore`; `PostgresMetadataStore` serves several servers
/// sharing one database. Both implement each part the same way, and the same contract tests run
/// against both. Every method that changes state is one transaction.
public typealias MetadataStore = ApplicationStore & ReviewStore & ReviewerStore & RetentionStore & BlobLedger & OutboxStore & JobStore
    & UploadSessionStore
    & StoreHealth

/// Applications and their documents: what intake writes and the applicant reads.
public protocol ApplicationStore: Sendable {
    /// Commits a new application with its documents, its audit entry and its notice, or nothing.
    /// The documents' blobs were reserved under `reservation`, which the same transaction releases
    /// (`BlobPlacement` holds the storage rule).
    func insertApplication(
        _ application: ApplicationRecord, documents: [DocumentRecord], audit: AuditEntry, notice: OutboxMessage?,
        releasing reservation: BlobReservation?
    ) async throws

    /// The application with this id, if any.
    func application(id: String) async throws -> ApplicationRecord?

    /// The id of the application with this 受付番号, if any.
    func applicationId(receiptNumber: String) async throws -> String?

    /// Every document of an application, current and superseded, oldest first.
    func documents(applicationId: String) async throws -> [DocumentRecord]

    /// The current (not superseded) document of one slot, if any.
    func currentDocument(applicationId: String, slot: DocumentSlot) async throws -> DocumentRecord?

    /// Makes `document` the current one of its slot, marking the previous one superseded, if the
    /// application's status is one of `allowedStatuses`; otherwise throws `.statusConflict`.
    func replaceDocument(
        _ document: DocumentRecord, allowedStatuses: Set<ApplicationStatus>, audit: AuditEntry, releasing reservation: BlobReservation?
    ) async throws

    /// Stores the applicant's corrections of `corrected`'s form fields (申請内容の修正) with `audit`, if
    /// the application's status is one of `allowedStatuses`; otherwise throws `.statusConflict`. The
    /// status, the secret hash, the token hash and the times other than `updatedAt` are left as stored.
    func correctFields(_ corrected: ApplicationRecord, allowedStatuses: Set<ApplicationStatus>, audit: AuditEntry) async throws

    /// Replaces an application's access token (by its hash), with `audit`: the previous token stops
    /// working at once. Throws `.notFound` when there is no such application.
    func replaceAccessToken(applicationId: String, tokenHash: String, audit: AuditEntry) async throws

    /// Quarantines an application's infected current documents and, when its status is one of
    /// `returnFrom`, returns it to its applicant: all in one transaction.
    func quarantine(_ quarantine: DocumentQuarantine) async throws -> DocumentQuarantineOutcome
}

/// The reviewers' side: listing, status changes and the audit log.
public protocol ReviewStore: Sendable {
    /// The audit log of an application, oldest first.
    func auditLog(applicationId: String) async throws -> [AuditEntry]

    /// For each of `applicationIds` that has an audit entry with `action`, when the latest such
    /// entry (the last one appended) was made: one query for a whole page of a listing.
    func lastAudit(action: String, applicationIds: [String]) async throws -> [String: Date]

    /// For each of `applicationIds` with current documents, how many: one query for a page.
    func currentDocumentCounts(applicationIds: [String]) async throws -> [String: Int]

    /// Appends an entry that is not part of a state change, such as a document download.
    func appendAudit(_ entry: AuditEntry) async throws

    /// Moves an application from one of `from` to `to`, recording `audit` and queueing `notice`.
    /// Throws `.notFound`, or `.statusConflict` when the current status is not in `from`: of two
    /// servers making the same move at once, exactly one succeeds.
    @discardableResult
    func transition(
        applicationId: String, from: Set<ApplicationStatus>, to: ApplicationStatus, audit: AuditEntry, notice: OutboxMessage?
    ) async throws -> ApplicationRecord

    /// Applications in any of `statuses` (all when nil), in the order they were received, after
    /// the position `after` (exclusive), each with its own position for the next page.
    func applications(statuses: Set<ApplicationStatus>?, after: Int64?, limit: Int) async throws -> [ListedApplication]
}

/// Reviewers and their tokens (by hash).
public protocol ReviewerStore: Sendable {
    /// Registers a reviewer; throws `.duplicateReviewer` if the name is taken.
    func addReviewer(_ reviewer: ReviewerRecord) async throws

    /// Every reviewer, revoked ones included.
    func reviewers() async throws -> [ReviewerRecord]

    /// Revokes a reviewer's token at `at`. Returns false if no active reviewer has that name.
    func revokeReviewer(name: String, at: Date) async throws -> Bool

    /// The active (not revoked) reviewer whose token hashes to `tokenHash`.
    func activeReviewer(tokenHash: String) async throws -> ReviewerRecord?
}

/// Retention (保存期間) and legal holds.
public protocol RetentionStore: Sendable {
    /// Applications in any of `statuses`, each with all its document rows and its legal hold,
    /// read in one snapshot, oldest first.
    func retentionCandidates(statuses: Set<ApplicationStatus>) async throws -> [RetentionCandidate]

    /// Deletes every document row of one application and writes a deletion record for each,
    /// closing the application first when asked, in one transaction that first repeats the checks
    /// the job's judgement rested on (status, status time, no hold).
    func expireDocuments(_ expiry: DocumentExpiry) async throws -> DocumentExpiryOutcome

    /// Deletion records, oldest first: of one application, or all when `applicationId` is nil.
    func deletionRecords(applicationId: String?) async throws -> [DeletionRecord]

    /// Puts an application under legal hold, or replaces the reason of its hold, with `audit`.
    /// Throws `.notFound` when there is no such application.
    func setLegalHold(_ hold: LegalHold, audit: AuditEntry) async throws

    /// Lifts the hold on an application, with `audit`. Returns false when none stood; throws
    /// `.notFound` when there is no such application.
    func clearLegalHold(applicationId: String, audit: AuditEntry) async throws -> Bool

    /// Every standing legal hold, oldest first.
    func legalHolds() async throws -> [LegalHold]
}

/// The rows of blobs: which exist, which are referenced, which an upload is about to reference.
/// docs/scale-out.md states the invariant these keep with `BlobPlacement` and `BlobCollector`.
public protocol BlobLedger: Sendable {
    /// The total size of the blobs the metadata knows, for the blob-store gauge.
    func storedBlobBytes() async throws -> Int64

    /// Every blob row with the number of document rows that reference it.
    func blobUsage() async throws -> [BlobUsage]

    /// Records that an upload is about to place and reference `blobs`: creates each blob's row if
    /// it has none and adds `reservation` to it, in one short transaction that waits for any
    /// collection of those rows in progress. Until the reservation expires or is released, no
    /// collector takes the blobs.
    func reserveBlobs(_ blobs: [BlobRecord], reservation: BlobReservation) async throws

    /// Drops a reservation (an upload that failed before its rows committed).
    func releaseBlobReservation(_ reservation: BlobReservation) async throws

    /// The collection step for one blob: holding the blob row's lock, if no document row
    /// references `sha256`, no reservation on it is live at `now`, and its row (if any) was created
    /// at or before `cutoff`, runs `removingFile` with the row, and when that reports the file gone,
    /// deletes the row too. Returns whether the blob was collected.
    ///
    /// `removingFile` is escaping because the stores run it inside a transaction closure that the
    /// database driver may release only after the transaction has returned.
    func collectBlob(
        sha256: String, createdAtOrBefore cutoff: Date, now: Date, removingFile: @escaping @Sendable (BlobRecord?) async throws -> Bool
    ) async throws -> Bool

    /// Records that the stored bytes of `sha256` failed verification, so that every server refuses
    /// them before sending a byte. The first sighting's time is kept.
    func markBlobCorrupt(sha256: String, at: Date) async throws

    /// When the blob was found corrupt, or nil when it is not marked.
    func blobCorruption(sha256: String) async throws -> Date?

    /// Every blob marked corrupt, in digest order.
    func corruptBlobs() async throws -> [CorruptBlobMark]

    /// Drops the mark once the stored bytes verify again: a new upload of the same bytes replaced
    /// them, or a scrub read them whole. Collecting the blob drops it too.
    func clearBlobCorruption(sha256: String) async throws
}

/// The outbox of notices to applicants (transactional: queued with the change they announce).
public protocol OutboxStore: Sendable {
    /// Queues a notice that follows no state change (such as a fresh access link), with `audit`.
    func queueNotice(_ notice: OutboxMessage, audit: AuditEntry) async throws

    /// Claims up to `limit` undelivered notices due at `now`, oldest first, in one transaction that
    /// skips rows another server is claiming: each one's next attempt moves to `leasedUntil` and its
    /// attempt count goes up. A server that dies mid-delivery only delays the notice until the lease
    /// runs out; two servers never hold the same notice.
    func claimDueNotices(now: Date, leasedUntil: Date, limit: Int) async throws -> [OutboxMessage]

    /// Marks a notice delivered; a delivered notice is never claimed again.
    func markNoticeSent(id: Int64, at: Date) async throws

    /// Records why a delivery attempt failed and when the notice is due again.
    func recordNoticeFailure(id: Int64, error: String, retryAt: Date) async throws

    /// Every notice of one application (or, when nil, every undelivered notice), oldest first.
    func notices(applicationId: String?) async throws -> [OutboxMessage]

    /// Every delivered notice, oldest first: the retention job deletes their `.eml` files.
    func deliveredNotices() async throws -> [OutboxMessage]

    /// Returns when a notice may have been queued (by any server sharing the store) or after
    /// `timeout`, whichever comes first: the deliverers wait on it instead of polling.
    func waitForQueuedNotice(timeout: Duration) async
}

/// Maintenance jobs: who runs one now, and how the last runs went.
public protocol JobStore: Sendable {
    /// Takes (or renews) the lease on `job` for `holder` until `expiresAt`, unless another holder
    /// has one that runs past `now`. Returns whether `holder` now holds it.
    func acquireJobLease(job: String, holder: String, now: Date, expiresAt: Date) async throws -> Bool

    /// Gives up `holder`'s lease on `job`, if it still has it.
    func releaseJobLease(job: String, holder: String) async throws

    /// The lease on `job` as stored, expired or not.
    func jobLease(job: String) async throws -> JobLease?

    /// Records a finished maintenance run.
    func recordJobRun(_ run: JobRunRecord) async throws

    /// The latest recorded run of `job`.
    func lastJobRun(job: String) async throws -> JobRunRecord?
}

/// Whether the database answers, for `/readyz`.
public protocol StoreHealth: Sendable {
    /// Throws `MetadataStoreError.unavailable` when the database does not answer.
    func ping() async throws
}

/// An upload's claim on the blobs it is about to reference, so that no collector takes them
/// between their placement and the commit of the rows that reference them.
public struct BlobReservation: Sendable, Hashable {
    /// Unique to one upload.
    public let id: String
    /// After this the claim is void: an upload that died holds nothing for long.
    public let expiresAt: Date

    /// A claim named `id`, void after `expiresAt`.
    public init(id: String = UUID().uuidString, expiresAt: Date) {
        self.id = id
        self.expiresAt = expiresAt
    }
}

/// An application with its position in the order applications were received: a stable,
/// exact cursor for paging (timestamps can tie and lose precision on the way through text).
public struct ListedApplication: Sendable, Equatable {
    /// Its place in the order of receipt.
    public var position: Int64
    /// The application.
    public var record: ApplicationRecord
}

/// Why a metadata operation was refused.
public enum MetadataStoreError: Error, Sendable, Equatable {
    case notFound
    /// The application is in `current`, from which the requested change is not allowed.
    case statusConflict(current: ApplicationStatus)
    case duplicateReceiptNumber
    case duplicateReviewer
    /// The database was migrated by a newer version of DocIntake (it lists migrations this one
    /// does not know); opening it could corrupt data the newer version relies on.
    case schemaTooNew(unknownMigrations: [String])
    /// The database's file system is full; the transaction was rolled back.
    case noSpace
    /// The database does not answer (down, unreachable, refusing connections); nothing was changed
    /// that the caller was told of. Worth retrying later.
    case unavailable(String)
    /// A stored value that no case of its column's type names (a row written by hand or by a newer
    /// version): refused, never read as some default.
    case unknownValue(column: String, value: String)
}
