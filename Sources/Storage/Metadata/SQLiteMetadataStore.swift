import DocIntakeAPI
import Foundation
import GRDB

/// Metadata in one SQLite file (WAL, a busy timeout for the other processes such as the
/// retention job, foreign keys on), schema by `migrator`.
public final class SQLiteMetadataStore: MetadataStore {
    let pool: DatabasePool
    private let faults: MetadataFaults
    /// Wakes this process's deliverers when a notice is committed (one server per data directory).
    let queuedNotices = Wakeup()

    /// Opens the database at `path`, creating it and migrating it forward as needed; `faults` is a
    /// test seam.
    public init(path: String, faults: MetadataFaults = .none) throws {
        self.faults = faults
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        pool = try DatabasePool(path: path, configuration: configuration)
        // A 201 promises durability, but GRDB sets NORMAL on the pool's (single, long-lived) writer
        // when it enables WAL, and NORMAL may lose the last commits on a power cut.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let migrator = Self.migrator
        // Forward only: a database a newer DocIntake has migrated is refused rather than used
        // with a schema this version does not understand.
        let unknown = try pool.read { db in try migrator.appliedIdentifiers(db).subtracting(migrator.migrations) }
        if !unknown.isEmpty { throw MetadataStoreError.schemaTooNew(unknownMigrations: unknown.sorted()) }
        try migrator.migrate(pool)
    }

    /// The migrations applied to the database, in order.
    public func appliedMigrations() async throws -> [String] {
        try await pool.read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// Runs `body` in an IMMEDIATE transaction: the write lock is taken at BEGIN, which is what
    /// serialises blob reservation against garbage collection, also across processes. `notifies`
    /// wakes this process's notice deliverers after the commit.
    func writeImmediate<T: Sendable>(notifies: Bool = false, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let faults = faults
        do {
            let result = try await pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    try faults.checkBeforeCommit()
                    return .commit
                }
                return result!
            }
            if notifies { queuedNotices.fire() }
            return result
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw MetadataStoreError.noSpace
        }
    }

    public func insertApplication(
        _ application: ApplicationRecord, documents: [DocumentRecord], audit: AuditEntry, notice: OutboxMessage?,
        releasing reservation: BlobReservation?
    ) async throws {
        do {
            try await writeImmediate(notifies: notice != nil) { db in
                try application.insert(db)
                for var document in documents {
                    try Self.recordBlob(of: document, in: db)
                    try document.insert(db)
                }
                var audit = audit
                try audit.insert(db)
                if var notice {
                    notice.eventKey = Self.eventKey(notice, audit)
                    try notice.insert(db)
                }
                if let reservation { try Self.release(reservation, in: db) }
            }
        } catch let error as DatabaseError
            where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && error.message?.contains("receiptNumber") == true
        {
            throw MetadataStoreError.duplicateReceiptNumber
        }
    }

    /// One notice per audited event: the key is derived from the event, so the unique index
    /// refuses a second notice for it.
    static func eventKey(_ notice: OutboxMessage, _ audit: AuditEntry) -> String {
        "\(notice.kind):audit:\(audit.id!)"
    }

    public func application(id: String) async throws -> ApplicationRecord? {
        try await pool.read { db in try ApplicationRecord.fetchOne(db, key: id) }
    }

    public func applicationId(receiptNumber: String) async throws -> String? {
        try await pool.read { db in
            try ApplicationRecord.select(ApplicationRecord.Columns.id, as: String.self)
                .filter(ApplicationRecord.Columns.receiptNumber == receiptNumber)
                .fetchOne(db)
        }
    }

    public func documents(applicationId: String) async throws -> [DocumentRecord] {
        try await pool.read { db in
            try DocumentRecord.filter(DocumentRecord.Columns.applicationId == applicationId).order(DocumentRecord.Columns.id).fetchAll(db)
        }
    }

    public func auditLog(applicationId: String) async throws -> [AuditEntry] {
        try await pool.read { db in
            try AuditEntry.filter(AuditEntry.Columns.applicationId == applicationId).order(AuditEntry.Columns.id).fetchAll(db)
        }
    }

    public func currentDocumentCounts(applicationIds: [String]) async throws -> [String: Int] {
        guard !applicationIds.isEmpty else { return [:] }
        return try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT applicationId, COUNT(*) AS n FROM documents
                    WHERE supersededAt IS NULL AND applicationId IN (\(databaseQuestionMarks(count: applicationIds.count)))
                    GROUP BY applicationId
                    """, arguments: StatementArguments(applicationIds))
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["applicationId"] as String, $0["n"] as Int) })
        }
    }

    public func lastAudit(action: String, applicationIds: [String]) async throws -> [String: Date] {
        guard !applicationIds.isEmpty else { return [:] }
        return try await pool.read { db in
            // The last appended entry (the highest id), as auditLog(applicationId:).last would find it.
            let marks = databaseQuestionMarks(count: applicationIds.count)
            let entries = try AuditEntry.fetchAll(
                db,
                sql: """
                    SELECT * FROM audit_log WHERE id IN (
                        SELECT MAX(id) FROM audit_log WHERE action = ? AND applicationId IN (\(marks)) GROUP BY applicationId)
                    """, arguments: StatementArguments([action] + applicationIds))
            return Dictionary(entries.compactMap { entry in entry.applicationId.map { ($0, entry.at) } }, uniquingKeysWith: { $1 })
        }
    }

    public func currentDocument(applicationId: String, slot: DocumentSlot) async throws -> DocumentRecord? {
        try await pool.read { db in
            try DocumentRecord
                .filter(DocumentRecord.Columns.applicationId == applicationId && DocumentRecord.Columns.slot == slot)
                .filter(DocumentRecord.Columns.supersededAt == nil)
                .fetchOne(db)
        }
    }

    public func replaceDocument(
        _ document: DocumentRecord, allowedStatuses: Set<ApplicationStatus>, audit: AuditEntry, releasing reservation: BlobReservation?
    ) async throws {
        try await writeImmediate { db in
            guard var application = try ApplicationRecord.fetchOne(db, key: document.applicationId) else {
                throw MetadataStoreError.notFound
            }
            guard allowedStatuses.contains(application.status) else {
                throw MetadataStoreError.statusConflict(current: application.status)
            }
            try DocumentRecord
                .filter(
                    DocumentRecord.Columns.applicationId == document.applicationId && DocumentRecord.Columns.slot == document.slot
                        && DocumentRecord.Columns.supersededAt == nil
                )
                .updateAll(db, DocumentRecord.Columns.supersededAt.set(to: document.uploadedAt))
            try Self.recordBlob(of: document, in: db)
            var document = document
            try document.insert(db)
            application.updatedAt = document.uploadedAt
            try application.update(db, columns: [ApplicationRecord.Columns.updatedAt])
            var audit = audit
            try audit.insert(db)
            if let reservation { try Self.release(reservation, in: db) }
        }
    }

    public func correctFields(_ corrected: ApplicationRecord, allowedStatuses: Set<ApplicationStatus>, audit: AuditEntry) async throws {
        try await writeImmediate { db in
            guard var application = try ApplicationRecord.fetchOne(db, key: corrected.id) else { throw MetadataStoreError.notFound }
            guard allowedStatuses.contains(application.status) else {
                throw MetadataStoreError.statusConflict(current: application.status)
            }
            application.prefectureCode = corrected.prefectureCode
            application.institutionCode = corrected.institutionCode
            application.institutionName = corrected.institutionName
            application.lineType = corrected.lineType
            application.customerIdType = corrected.customerIdType
            application.customerId = corrected.customerId
            application.plannedStartMonth = corrected.plannedStartMonth
            application.plannedTestMonth = corrected.plannedTestMonth
            application.certificateFeePayment = corrected.certificateFeePayment
            application.contactEmail = corrected.contactEmail
            application.warnings = corrected.warnings
            application.updatedAt = audit.at
            try application.update(db)
            var audit = audit
            try audit.insert(db)
        }
    }

    @discardableResult
    public func transition(
        applicationId: String, from: Set<ApplicationStatus>, to: ApplicationStatus, audit: AuditEntry, notice: OutboxMessage?
    ) async throws -> ApplicationRecord {
        try await writeImmediate { db in
            guard var application = try ApplicationRecord.fetchOne(db, key: applicationId) else {
                throw MetadataStoreError.notFound
            }
            guard from.contains(application.status) else {
                throw MetadataStoreError.statusConflict(current: application.status)
            }
            try Self.move(&application, to: to, audit: audit, notice: notice, in: db)
            return application
        }
    }

    /// The writes of a status change, inside the caller's transaction.
    static func move(_ application: inout ApplicationRecord, to: ApplicationStatus, audit: AuditEntry, notice: OutboxMessage?, in db: Database) throws
    {
        var audit = audit
        audit.fromStatus = application.status
        audit.toStatus = to
        application.status = to
        application.updatedAt = audit.at
        application.statusChangedAt = audit.at
        try application.update(
            db, columns: [ApplicationRecord.Columns.status, ApplicationRecord.Columns.updatedAt, ApplicationRecord.Columns.statusChangedAt])
        try audit.insert(db)
        if var notice {
            notice.eventKey = eventKey(notice, audit)
            try notice.insert(db)
        }
    }

    public func applications(statuses: Set<ApplicationStatus>?, after: Int64?, limit: Int) async throws -> [ListedApplication] {
        try await pool.read { db in
            var request = ApplicationRecord.select(AllColumns(), Column.rowID)
            if let statuses { request = request.filter(statuses.contains(ApplicationRecord.Columns.status)) }
            if let after { request = request.filter(Column.rowID > after) }
            return try Row.fetchAll(db, request.order(Column.rowID).limit(limit)).map { row in
                ListedApplication(position: row[Column.rowID], record: try ApplicationRecord(row: row))
            }
        }
    }

    public func queueNotice(_ notice: OutboxMessage, audit: AuditEntry) async throws {
        try await writeImmediate(notifies: true) { db in
            var audit = audit
            try audit.insert(db)
            var notice = notice
            notice.eventKey = Self.eventKey(notice, audit)
            try notice.insert(db)
        }
    }

    public func replaceAccessToken(applicationId: String, tokenHash: String, audit: AuditEntry) async throws {
        try await writeImmediate { db in
            guard var application = try ApplicationRecord.fetchOne(db, key: applicationId) else { throw MetadataStoreError.notFound }
            application.accessTokenHash = tokenHash
            try application.update(db, columns: [ApplicationRecord.Columns.accessTokenHash])
            var audit = audit
            try audit.insert(db)
        }
    }

    public func appendAudit(_ entry: AuditEntry) async throws {
        // Through writeImmediate for its SQLITE_FULL mapping: a read that cannot be audited on a
        // full disk is refused as `.noSpace`, not as an unexplained failure.
        try await writeImmediate { db in
            var entry = entry
            try entry.insert(db)
        }
    }

    public func addReviewer(_ reviewer: ReviewerRecord) async throws {
        do {
            try await pool.write { db in
                var reviewer = reviewer
                try reviewer.insert(db)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw MetadataStoreError.duplicateReviewer
        }
    }

    public func reviewers() async throws -> [ReviewerRecord] {
        try await pool.read { db in try ReviewerRecord.order(ReviewerRecord.Columns.name).fetchAll(db) }
    }

    public func revokeReviewer(name: String, at: Date) async throws -> Bool {
        try await pool.write { db in
            try ReviewerRecord
                .filter(ReviewerRecord.Columns.name == name && ReviewerRecord.Columns.revokedAt == nil)
                .updateAll(db, ReviewerRecord.Columns.revokedAt.set(to: at)) > 0
        }
    }

    public func activeReviewer(tokenHash: String) async throws -> ReviewerRecord? {
        try await pool.read { db in
            try ReviewerRecord.filter(ReviewerRecord.Columns.tokenHash == tokenHash && ReviewerRecord.Columns.revokedAt == nil).fetchOne(db)
        }
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}
