import Foundation
import PostgresNIO

extension PostgresMetadataStore: JobStore {
    public func acquireJobLease(job: String, holder: String, now: Date, expiresAt: Date) async throws -> Bool {
        // One atomic upsert: it takes a free or expired lease, renews the holder's own, and leaves
        // another holder's live lease alone (no row comes back). Two servers at once: the second
        // waits for the first one's row and then sees it.
        try await !rows(
            """
            INSERT INTO job_leases (job, holder, expires_at) VALUES (\(job), \(holder), \(stored: expiresAt))
            ON CONFLICT (job) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
            WHERE job_leases.holder = EXCLUDED.holder OR job_leases.expires_at <= \(stored: now)
            RETURNING job
            """
        ).isEmpty
    }

    public func releaseJobLease(job: String, holder: String) async throws {
        _ = try await rows("DELETE FROM job_leases WHERE job = \(job) AND holder = \(holder)")
    }

    public func jobLease(job: String) async throws -> JobLease? {
        try await rows("SELECT job, holder, expires_at FROM job_leases WHERE job = \(job)").first.map { row in
            let c = ColumnReader(row)
            return JobLease(job: try c["job"], holder: try c["holder"], expiresAt: try c.date("expires_at"))
        }
    }

    public func recordJobRun(_ run: JobRunRecord) async throws {
        _ = try await rows(
            """
            INSERT INTO job_runs (job, started_at, finished_at, outcome, summary, actor)
            VALUES (\(run.job), \(stored: run.startedAt), \(stored: run.finishedAt), \(run.outcome), \(run.summary), \(run.actor))
            """)
    }

    public func lastJobRun(job: String) async throws -> JobRunRecord? {
        try await rows("SELECT \(unescaped: PostgresColumns.jobRun) FROM job_runs WHERE job = \(job) ORDER BY id DESC LIMIT 1")
            .first.map(JobRunRecord.init)
    }
}
