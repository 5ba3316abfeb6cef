import Foundation
import Logging
import PostgresNIO

/// Copies an embedded installation (the data directory's SQLite database and blob directory) into
/// PostgreSQL and an S3 bucket: `docintake transfer`. The caller holds the data directory's lock,
/// so that nothing changes the source meanwhile.
///
/// The blobs go first, each verified as it is sent, then the tables in the order of their foreign
/// keys; ids, 受付番号, hashed tokens and 秘密の番号, times and statuses are kept as they are, and
/// each identity sequence continues after the highest id the source ever issued. Every write is
/// idempotent (a blob already intact in the bucket is skipped, a row is inserted with
/// `ON CONFLICT DO NOTHING`), so a second run, or one after an interrupted run, completes the copy
/// and copies nothing twice. A row the target holds in another form is a conflict: the copy stops
/// there and says so, overwriting nothing.
public struct InstallationTransfer: Sendable {
    /// A point the run reached: reported to `onStep` (progress), which may throw to stop the run
    /// there, as an interruption would (a test seam).
    public enum Step: Sendable, Equatable {
        /// `done` blobs handled so far (copied, present or failed).
        case blob(done: Int)
        /// A page of `table`'s rows committed; `done` rows of it so far.
        case rows(TransferTable, done: Int)
    }

    let source: TransferSource
    let blobs: BlobCopier
    let target: PostgresMetadataStore
    let onStep: @Sendable (Step) throws -> Void
    let now: @Sendable () -> Date

    /// A transfer from `source` and the data directory's `sourceBlobs` into `target` (already
    /// migrated, as opening it does) and `targetBlobs`.
    public init(
        source: SQLiteMetadataStore, sourceBlobs: FileBlobStore, target: PostgresMetadataStore, targetBlobs: S3BlobStore,
        now: @escaping @Sendable () -> Date = Date.init, onStep: @escaping @Sendable (Step) throws -> Void = { _ in }
    ) {
        self.source = TransferSource(store: source)
        self.blobs = BlobCopier(source: sourceBlobs, target: targetBlobs)
        self.target = target
        self.now = now
        self.onStep = onStep
    }

    /// Runs the transfer. Throws `TransferError` when it must not start (a job running on the
    /// source, a target holding another installation), and the stores' errors when one fails
    /// midway (run it again: what was done stays done). A blob that failed verification and a
    /// conflict are in the report, not thrown.
    public func run() async throws -> TransferReport {
        let running = try await source.runningJobs(now: now())
        guard running.isEmpty else { throw TransferError.jobRunning(running) }
        try await refuseForeignApplications()
        var report = TransferReport()
        try await copyBlobs(into: &report)
        for table in TransferTable.allCases {
            guard try await copyRows(of: table, into: &report) else { return report }
            if table == .blobCorruption { try await markFailedBlobs(report.failedBlobs) }
        }
        try await continueSequences()
        report.complete = true
        return report
    }

    // MARK: Steps

    /// Refuses a target that holds applications the source does not, or under another 受付番号:
    /// another installation's data, which the transfer must not merge with this one.
    private func refuseForeignApplications() async throws {
        var after = ""
        var foreign: [String] = []
        while foreign.count < 5 {
            let page = try await target.rows(
                "SELECT id, receipt_number FROM applications WHERE id > \(after) ORDER BY id LIMIT 500"
            ).map { row in try row.decode((String, String).self) }
            guard let last = page.last else { break }
            let known = try await source.receiptNumbers(ofApplications: page.map(\.0))
            foreign += page.filter { known[$0.0] != $0.1 }.map { "\($0.0) (受付番号 \($0.1))" }
            after = last.0
        }
        guard foreign.isEmpty else { throw TransferError.foreignInstallation(Array(foreign.prefix(5))) }
    }

    private func copyBlobs(into report: inout TransferReport) async throws {
        let marked = try await source.corruptionMarks()
        var after: Int64 = 0
        var done = 0
        while true {
            let page = try await source.blobs(after: after)
            guard let last = page.last else { return }
            for (_, blob) in page {
                let outcome = try await blobs.copy(blob)
                switch outcome {
                case .copied(let bytes):
                    report.blobsCopied += 1
                    report.bytesCopied += bytes
                case .present:
                    report.blobsAlreadyPresent += 1
                case .corrupt, .missing:
                    let reason = outcome == .missing ? "missing" : "corrupt"
                    report.failedBlobs.append(
                        TransferReport.FailedBlob(
                            sha256: blob.sha256, reason: reason, receiptNumbers: try await source.receiptNumbers(using: blob.sha256)))
                }
                // A blob intact now whose mark in the target an earlier run made (its file since restored).
                if !marked.contains(blob.sha256), !report.failedBlobs.contains(where: { $0.sha256 == blob.sha256 }) {
                    _ = try await target.rows("DELETE FROM blob_corruption WHERE sha256 = \(blob.sha256)")
                }
                done += 1
                try onStep(.blob(done: done))
            }
            after = last.rowid
        }
    }

    /// Copies `table` page by page, each page in one transaction. Returns false when a conflict
    /// stopped it (the conflicting page is rolled back).
    private func copyRows(of table: TransferTable, into report: inout TransferReport) async throws -> Bool {
        var counts = TransferReport.RowCounts()
        defer { report.tables[table.name] = counts }
        var after: Int64 = 0
        while true {
            let page = try await source.page(table, after: after)
            guard let last = page.last else { return true }
            let rows = page.map(\.row)
            do {
                let written = try await target.transaction { connection in try await Self.write(rows, on: connection, logger: self.target.logger) }
                counts.copied += written.copied
                counts.alreadyPresent += written.alreadyPresent
            } catch let conflicting as ConflictingRows {
                report.conflicts += conflicting.rows.prefix(10).map { TransferReport.Conflict(table: table.name, row: $0) }
                return false
            }
            after = last.rowid
            try onStep(.rows(table, done: counts.copied + counts.alreadyPresent))
        }
    }

    /// Inserts `rows`, inside the caller's transaction; throws `ConflictingRows` (rolling it back)
    /// when any of them is in the target with other content.
    private static func write(_ rows: [TargetRow], on connection: PostgresConnection, logger: Logger) async throws -> TransferReport.RowCounts {
        var counts = TransferReport.RowCounts()
        var conflicts: [String] = []
        for row in rows {
            if try await !connection.rows(row.insert, logger: logger).isEmpty {
                counts.copied += 1
            } else if try await !connection.rows(row.identical, logger: logger).isEmpty {
                counts.alreadyPresent += 1
            } else {
                conflicts.append(row.name)
            }
        }
        guard conflicts.isEmpty else { throw ConflictingRows(rows: conflicts) }
        return counts
    }

    /// Marks the blobs that could not be copied as corrupt in the target, so that a download of
    /// their documents answers `blob_corrupt` before any byte instead of failing on a missing object.
    private func markFailedBlobs(_ failed: [TransferReport.FailedBlob]) async throws {
        let at = now()
        for blob in failed {
            _ = try await target.rows(
                "INSERT INTO blob_corruption (sha256, detected_at) VALUES (\(blob.sha256), \(stored: at)) ON CONFLICT (sha256) DO NOTHING")
        }
    }

    /// Moves each identity sequence past the highest id the source ever issued (and any already in
    /// the target), so that the servers' next rows never reuse an id.
    private func continueSequences() async throws {
        let issued = try await source.issuedIds()
        for table in TransferTable.allCases {
            guard let column = table.identityColumn else { continue }
            let floor = issued[table.name] ?? 0
            _ = try await target.rows(
                """
                SELECT setval(s.seq, n.value) FROM (SELECT pg_get_serial_sequence(\(table.name), \(column))::regclass AS seq) s,
                LATERAL (SELECT GREATEST(\(floor), COALESCE(pg_sequence_last_value(s.seq), 0),
                    (SELECT COALESCE(MAX(\(unescaped: column)), 0) FROM \(unescaped: table.name))) AS value) n
                WHERE n.value > 0
                """)
        }
    }
}

/// A page of rows that conflicts with the target: rolls its transaction back.
private struct ConflictingRows: Error {
    let rows: [String]
}

/// Why a transfer did not start.
public enum TransferError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The target database holds applications this installation does not (some named).
    case foreignInstallation([String])
    /// A maintenance job (retention, scrub, rescan) is working on the source.
    case jobRunning([String])

    /// Japanese, then English: what is wrong and what to do.
    public var description: String {
        switch self {
        case .foreignInstallation(let examples):
            "移行先のデータベースには、移行元にない申請が既に入っています（\(examples.joined(separator: ", "))）。"
                + "別のインストールのデータと混ぜないため、何も書き込まずに中止しました。空のデータベースを指定してください。\n"
                + "The target database already holds applications this installation does not have (\(examples.joined(separator: ", "))): "
                + "another installation's data. Nothing was written; give an empty database."
        case .jobRunning(let jobs):
            "移行元で保守ジョブ（\(jobs.joined(separator: ", "))）が実行中です。終了してから再実行してください。\n"
                + "A maintenance job (\(jobs.joined(separator: ", "))) is running on the data directory; "
                + "wait until it ends, then run the transfer again."
        }
    }
}
