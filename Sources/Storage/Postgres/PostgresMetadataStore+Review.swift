import DocIntakeAPI
import Foundation
import PostgresNIO

extension PostgresMetadataStore: ReviewStore {
    public func auditLog(applicationId: String) async throws -> [AuditEntry] {
        try await rows("SELECT \(unescaped: PostgresColumns.audit) FROM audit_log WHERE application_id = \(applicationId) ORDER BY id")
            .map(AuditEntry.init)
    }

    public func lastAudit(action: String, applicationIds: [String]) async throws -> [String: Date] {
        guard !applicationIds.isEmpty else { return [:] }
        // The last appended entry (the highest id) of each application, as auditLog(applicationId:).last would find it.
        let rows = try await rows(
            """
            SELECT DISTINCT ON (application_id) application_id, at FROM audit_log
            WHERE action = \(action) AND application_id = ANY(\(applicationIds))
            ORDER BY application_id, id DESC
            """)
        var last: [String: Date] = [:]
        for row in rows {
            let c = ColumnReader(row)
            last[try c["application_id", as: String.self]] = try c.date("at")
        }
        return last
    }

    public func currentDocumentCounts(applicationIds: [String]) async throws -> [String: Int] {
        guard !applicationIds.isEmpty else { return [:] }
        let rows = try await rows(
            """
            SELECT application_id, COUNT(*) AS n FROM documents
            WHERE superseded_at IS NULL AND application_id = ANY(\(applicationIds)) GROUP BY application_id
            """)
        var counts: [String: Int] = [:]
        for row in rows {
            let c = ColumnReader(row)
            counts[try c["application_id", as: String.self]] = try c["n", as: Int.self]
        }
        return counts
    }

    public func appendAudit(_ entry: AuditEntry) async throws {
        try await withConnection { connection in _ = try await self.insert(entry, on: connection) }
    }

    @discardableResult
    public func transition(
        applicationId: String, from: Set<ApplicationStatus>, to: ApplicationStatus, audit: AuditEntry, notice: OutboxMessage?
    ) async throws -> ApplicationRecord {
        let moved = try await transaction { connection in
            // Locked: of two servers making the same move at once, the second waits here and then
            // finds the status the first one set.
            let application = try await self.lockApplication(applicationId, on: connection)
            guard from.contains(application.status) else { throw MetadataStoreError.statusConflict(current: application.status) }
            return try await self.move(application, to: to, audit: audit, notice: notice, on: connection)
        }
        if notice != nil { queued.wakeup.fire() }
        return moved
    }

    public func applications(statuses: Set<ApplicationStatus>?, after: Int64?, limit: Int) async throws -> [ListedApplication] {
        let statuses = statuses.map { $0.map(\.rawValue) }
        return try await rows(
            """
            SELECT position, \(unescaped: PostgresColumns.application) FROM applications
            WHERE (\(statuses)::text[] IS NULL OR status = ANY(\(statuses)::text[]))
                AND (\(after)::bigint IS NULL OR position > \(after)::bigint)
            ORDER BY position LIMIT \(limit)
            """
        ).map { row in ListedApplication(position: try row.makeRandomAccess()["position"].decode(Int64.self), record: try ApplicationRecord(row)) }
    }
}

extension PostgresMetadataStore: ReviewerStore {
    public func addReviewer(_ reviewer: ReviewerRecord) async throws {
        _ = try await rows(
            """
            INSERT INTO reviewers (name, token_hash, created_at, revoked_at)
            VALUES (\(reviewer.name), \(reviewer.tokenHash), \(stored: reviewer.createdAt), \(stored: reviewer.revokedAt))
            """)
    }

    public func reviewers() async throws -> [ReviewerRecord] {
        try await rows("SELECT \(unescaped: PostgresColumns.reviewer) FROM reviewers ORDER BY name COLLATE \"C\"").map(ReviewerRecord.init)
    }

    public func revokeReviewer(name: String, at: Date) async throws -> Bool {
        try await !rows("UPDATE reviewers SET revoked_at = \(stored: at) WHERE name = \(name) AND revoked_at IS NULL RETURNING id").isEmpty
    }

    public func activeReviewer(tokenHash: String) async throws -> ReviewerRecord? {
        try await rows(
            "SELECT \(unescaped: PostgresColumns.reviewer) FROM reviewers WHERE token_hash = \(tokenHash) AND revoked_at IS NULL"
        ).first.map(ReviewerRecord.init)
    }
}
