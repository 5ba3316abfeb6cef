import Foundation
import GRDB

extension SQLiteMetadataStore {
    public func claimDueNotices(now: Date, leasedUntil: Date, limit: Int) async throws -> [OutboxMessage] {
        let due = OutboxMessage.filter(Column("sentAt") == nil && Column("nextAttemptAt") <= now)
        // Polled every second: a read (which never waits for the writer in WAL mode) decides
        // whether the write lock, which uploads need too, is worth taking.
        guard try await pool.read({ db in try due.isEmpty(db) }) == false else { return [] }
        // IMMEDIATE: the write lock is taken before the read, so two servers cannot both see a
        // row as due and both claim it.
        return try await writeImmediate { db in
            let claimed =
                try due
                .order(Column("nextAttemptAt"), Column("id"))
                .limit(limit)
                .fetchAll(db)
            return try claimed.map { message in
                var claimed = message
                claimed.attempts += 1
                claimed.nextAttemptAt = leasedUntil
                try claimed.update(db, columns: [Column("attempts"), Column("nextAttemptAt")])
                return claimed
            }
        }
    }

    public func markNoticeSent(id: Int64, at: Date) async throws {
        try await writeImmediate { db in
            try db.execute(
                sql: "UPDATE outbox SET sentAt = ?, lastError = NULL WHERE id = ? AND sentAt IS NULL",
                arguments: [at, id])
        }
    }

    public func recordNoticeFailure(id: Int64, error: String, retryAt: Date) async throws {
        try await writeImmediate { db in
            try db.execute(
                sql: "UPDATE outbox SET lastError = ?, nextAttemptAt = ? WHERE id = ? AND sentAt IS NULL",
                arguments: [error, retryAt, id])
        }
    }

    public func notices(applicationId: String?) async throws -> [OutboxMessage] {
        try await pool.read { db in
            let request =
                applicationId.map { OutboxMessage.filter(Column("applicationId") == $0) }
                ?? OutboxMessage.filter(Column("sentAt") == nil)
            return try request.order(Column("id")).fetchAll(db)
        }
    }

    public func deliveredNotices() async throws -> [OutboxMessage] {
        try await pool.read { db in try OutboxMessage.filter(Column("sentAt") != nil).order(Column("id")).fetchAll(db) }
    }

    public func waitForQueuedNotice(timeout: Duration) async {
        await queuedNotices.wait(timeout: timeout)
    }
}
