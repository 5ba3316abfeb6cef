import Foundation
import PostgresNIO

extension PostgresMetadataStore: OutboxStore {
    public func queueNotice(_ notice: OutboxMessage, audit: AuditEntry) async throws {
        try await transaction { connection in
            let auditId = try await self.insert(audit, on: connection)
            try await self.queue(notice, auditId: auditId, on: connection)
        }
        queued.wakeup.fire()
    }

    public func claimDueNotices(now: Date, leasedUntil: Date, limit: Int) async throws -> [OutboxMessage] {
        // One statement: the due rows are locked as they are chosen, and rows another server is
        // claiming (locked by its statement) are skipped rather than waited for or claimed twice.
        let rows = try await rows(
            """
            WITH due AS (
                SELECT id, next_attempt_at AS due_at FROM outbox
                WHERE sent_at IS NULL AND next_attempt_at <= \(stored: now)
                ORDER BY next_attempt_at, id LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            )
            UPDATE outbox SET attempts = attempts + 1, next_attempt_at = \(stored: leasedUntil)
            FROM due WHERE outbox.id = due.id
            RETURNING due.due_at, outbox.*
            """)
        return try rows.map { row in (try ColumnReader(row).date("due_at"), try OutboxMessage(row)) }
            .sorted { ($0.0, $0.1.id ?? 0) < ($1.0, $1.1.id ?? 0) }
            .map(\.1)
    }

    public func markNoticeSent(id: Int64, at: Date) async throws {
        _ = try await rows("UPDATE outbox SET sent_at = \(stored: at), last_error = NULL WHERE id = \(id) AND sent_at IS NULL")
    }

    public func recordNoticeFailure(id: Int64, error: String, retryAt: Date) async throws {
        _ = try await rows(
            "UPDATE outbox SET last_error = \(error), next_attempt_at = \(stored: retryAt) WHERE id = \(id) AND sent_at IS NULL")
    }

    public func notices(applicationId: String?) async throws -> [OutboxMessage] {
        try await rows(
            """
            SELECT \(unescaped: PostgresColumns.outbox) FROM outbox
            WHERE CASE WHEN \(applicationId)::text IS NULL THEN sent_at IS NULL ELSE application_id = \(applicationId)::text END
            ORDER BY id
            """
        ).map(OutboxMessage.init)
    }

    public func deliveredNotices() async throws -> [OutboxMessage] {
        try await rows("SELECT \(unescaped: PostgresColumns.outbox) FROM outbox WHERE sent_at IS NOT NULL ORDER BY id").map(OutboxMessage.init)
    }

    public func waitForQueuedNotice(timeout: Duration) async {
        await queued.wakeup.wait(timeout: timeout)
    }
}
