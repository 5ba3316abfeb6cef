import Foundation
import GRDB

extension SQLiteMetadataStore {
    public func claimDueNotices(now: Date, leasedUntil: Date, limit: Int) async throws -> [OutboxMessage] {
        let due = OutboxMessage.filter(OutboxMessage.Columns.sentAt == nil && OutboxMessage.Columns.nextAttemptAt <= now)
        // Polled every second: a read (which never waits for the writer in WAL mode) decides
        // whether the write lock, which uploads need too, is worth taking.
        guard try await pool.read({ db in try due.isEmpty(db) }) == false else { return [] }
        // IMMEDIATE: the write lock is taken before the read, so two servers cannot both see a
        // row as due and both claim it.
        return try await writeImmediate { db in
            let claimed =
                try due
                .order(OutboxMessage.Columns.nextAttemptAt, OutboxMessage.Columns.id)
                .limit(limit)
                .fetchAll(db)
            return try claimed.map { message in
                var claimed = message
                claimed.attempts += 1
                claimed.nextAttemptAt = leasedUntil
                try claimed.update(db, columns: [OutboxMessage.Columns.attempts, OutboxMessage.Columns.nextAttemptAt])
                return claimed
            }
        }
    }

    public func markNoticeSent(id: Int64, at: Date) async throws {
        try await writeImmediate { db in
            let unsent = OutboxMessage.filter(OutboxMessage.Columns.id == id && OutboxMessage.Columns.sentAt == nil)
            _ = try unsent.updateAll(db, OutboxMessage.Columns.sentAt.set(to: at), OutboxMessage.Columns.lastError.set(to: nil))
        }
    }

    public func recordNoticeFailure(id: Int64, error: String, retryAt: Date) async throws {
        try await writeImmediate { db in
            let unsent = OutboxMessage.filter(OutboxMessage.Columns.id == id && OutboxMessage.Columns.sentAt == nil)
            _ = try unsent.updateAll(db, OutboxMessage.Columns.lastError.set(to: error), OutboxMessage.Columns.nextAttemptAt.set(to: retryAt))
        }
    }

    public func notices(applicationId: String?) async throws -> [OutboxMessage] {
        try await pool.read { db in
            let request =
                applicationId.map { OutboxMessage.filter(OutboxMessage.Columns.applicationId == $0) }
                ?? OutboxMessage.filter(OutboxMessage.Columns.sentAt == nil)
            return try request.order(OutboxMessage.Columns.id).fetchAll(db)
        }
    }

    public func deliveredNotices() async throws -> [OutboxMessage] {
        try await pool.read { db in try OutboxMessage.filter(OutboxMessage.Columns.sentAt != nil).order(OutboxMessage.Columns.id).fetchAll(db) }
    }

    public func waitForQueuedNotice(timeout: Duration) async {
        await queuedNotices.wait(timeout: timeout)
    }
}
