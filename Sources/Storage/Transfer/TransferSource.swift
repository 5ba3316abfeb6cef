import Foundation
import GRDB

/// A table that carries an installation's state, named alike in both stores, in the order the
/// transfer writes them (each after the tables its foreign keys point to).
///
/// Not copied: `blob_reservations` (an upload's claim while it commits; none is in flight while the
/// data directory is locked, and an expired one means nothing), `job_leases` (a running job's turn,
/// likewise), and each store's own record of its migrations.
public enum TransferTable: String, CaseIterable, Sendable {
    /// With their listing position (SQLite's rowid).
    case applications
    /// Only the rows of blobs that documents use: any other is garbage the collector would remove.
    case blobs
    /// The source's corruption marks (and, afterwards, one per blob that failed in this run).
    case blobCorruption = "blob_corruption"
    /// Current, replaced and quarantined ones.
    case documents
    /// With their hashed tokens and revocations.
    case reviewers
    /// Append-only in both stores.
    case auditLog = "audit_log"
    /// Notices (queued, sent or failed), with their attempts.
    case outbox
    /// The standing holds (their history is in the audit log).
    case legalHolds = "legal_holds"
    /// What retention deleted; append-only.
    case deletionRecords = "deletion_records"
    /// The runs of retention and scrub, whose last one `/metrics` exports.
    case jobRuns = "job_runs"

    /// The table's name, the same in SQLite and PostgreSQL.
    public var name: String { rawValue }

    /// The identity column whose sequence must continue after the copied ids, if any.
    var identityColumn: String? {
        switch self {
        case .applications: "position"
        case .documents, .reviewers, .auditLog, .outbox, .deletionRecords, .jobRuns: "id"
        case .blobs, .blobCorruption, .legalHolds: nil
        }
    }
}

/// The embedded installation's SQLite database, read a page at a time in rowid order (every table
/// there has a rowid; for those with an integer id it is the id), so that memory stays bounded
/// whatever the size of the audit log.
struct TransferSource: Sendable {
    let store: SQLiteMetadataStore
    var pageSize = 500

    /// The next rows of `table` after `rowid`, each with its rowid, as they are written into PostgreSQL.
    func page(_ table: TransferTable, after rowid: Int64) async throws -> [(rowid: Int64, row: TargetRow)] {
        let filter = table == .blobs ? "AND sha256 IN (SELECT blobSha256 FROM documents)" : ""
        let sql = "SELECT rowid AS transferRowid, * FROM \(table.name) WHERE rowid > ? \(filter) ORDER BY rowid LIMIT ?"
        return try await store.pool.read { [pageSize] db in
            try Row.fetchAll(db, sql: sql, arguments: [rowid, pageSize]).map { row -> (rowid: Int64, row: TargetRow) in
                let rowid: Int64 = row["transferRowid"]
                return (rowid, try Self.targetRow(table, row, rowid: rowid))
            }
        }
    }

    private static func targetRow(_ table: TransferTable, _ row: Row, rowid: Int64) throws -> TargetRow {
        switch table {
        case .applications: try TargetRow(ApplicationRecord(row: row), position: rowid)
        case .blobs: try TargetRow(BlobRecord(row: row))
        case .blobCorruption: try TargetRow(CorruptBlobMark(sha256: row["sha256"], detectedAt: row["detectedAt"]))
        case .documents: try TargetRow(DocumentRecord(row: row))
        case .reviewers: try TargetRow(ReviewerRecord(row: row))
        case .auditLog: try TargetRow(AuditEntry(row: row))
        case .outbox: try TargetRow(OutboxMessage(row: row))
        case .legalHolds: try TargetRow(LegalHold(row: row))
        case .deletionRecords: try TargetRow(DeletionRecord(row: row))
        case .jobRuns: try TargetRow(JobRunRecord(row: row))
        }
    }

    /// The next blobs that documents use, after `rowid` of the blobs table.
    func blobs(after rowid: Int64) async throws -> [(rowid: Int64, blob: BlobRecord)] {
        try await store.pool.read { [pageSize] db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT rowid AS transferRowid, * FROM blobs WHERE rowid > ? AND sha256 IN (SELECT blobSha256 FROM documents)
                    ORDER BY rowid LIMIT ?
                    """, arguments: [rowid, pageSize]
            ).map { row in (rowid: row["transferRowid"] as Int64, blob: try BlobRecord(row: row)) }
        }
    }

    /// The blobs with a corruption mark in the source.
    func corruptionMarks() async throws -> Set<String> {
        Set(try await store.corruptBlobs().map(\.sha256))
    }

    /// The 受付番号 of the applications whose documents (current or replaced) use `sha256`.
    func receiptNumbers(using sha256: String) async throws -> [String] {
        try await store.pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT a.receiptNumber FROM documents d JOIN applications a ON a.id = d.applicationId
                    WHERE d.blobSha256 = ? ORDER BY a.receiptNumber
                    """, arguments: [sha256])
        }
    }

    /// The 受付番号 of each of `ids` that the source holds.
    func receiptNumbers(ofApplications ids: [String]) async throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        return try await store.pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, receiptNumber FROM applications WHERE id IN (\(databaseQuestionMarks(count: ids.count)))",
                arguments: StatementArguments(ids))
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["id"] as String, $0["receiptNumber"] as String) })
        }
    }

    /// The highest id each AUTOINCREMENT table ever handed out (`sqlite_sequence`), deleted rows
    /// included: the target's sequences continue after it, so that no id comes back (a deletion
    /// record names the id its document had).
    func issuedIds() async throws -> [String: Int64] {
        try await store.pool.read { db in
            guard try db.tableExists("sqlite_sequence") else { return [:] }
            let rows = try Row.fetchAll(db, sql: "SELECT name, seq FROM sqlite_sequence")
            return Dictionary(rows.map { ($0["name"] as String, $0["seq"] as Int64) }, uniquingKeysWith: max)
        }
    }

    /// Jobs whose lease has not run out: a `docintake retention`, `scrub` or `rescan` working on the
    /// data directory (operator commands do not take the server's lock).
    func runningJobs(now: Date) async throws -> [String] {
        try await store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT job FROM job_leases WHERE expiresAt > ? ORDER BY job", arguments: [now])
        }
    }
}
