import Foundation
import GRDB

extension SQLiteMetadataStore {
    public func quarantine(_ quarantine: DocumentQuarantine) async throws -> DocumentQuarantineOutcome {
        try await writeImmediate(notifies: true) { db in
            var marked: [Int64] = []
            for finding in quarantine.findings {
                guard var document = try DocumentRecord.fetchOne(db, key: finding.documentId),
                    document.applicationId == quarantine.applicationId, document.supersededAt == nil, document.quarantinedAt == nil
                else { continue }
                document.quarantinedAt = finding.audit.at
                try document.update(db, columns: [DocumentRecord.Columns.quarantinedAt])
                var audit = finding.audit
                try audit.insert(db)
                marked.append(finding.documentId)
            }
            guard !marked.isEmpty, var application = try ApplicationRecord.fetchOne(db, key: quarantine.applicationId),
                quarantine.returnFrom.contains(application.status)
            else { return DocumentQuarantineOutcome(quarantined: marked, returned: false) }
            try Self.move(&application, to: quarantine.returnTo, audit: quarantine.returnAudit, notice: quarantine.notice, in: db)
            return DocumentQuarantineOutcome(quarantined: marked, returned: true)
        }
    }

    public func acquireJobLease(job: String, holder: String, now: Date, expiresAt: Date) async throws -> Bool {
        try await writeImmediate { db in
            if let lease = try JobLease.fetchOne(db, key: job), lease.holder != holder, lease.expiresAt > now {
                return false
            }
            try JobLease(job: job, holder: holder, expiresAt: expiresAt).save(db)
            return true
        }
    }

    public func releaseJobLease(job: String, holder: String) async throws {
        try await writeImmediate { db in
            _ = try JobLease.filter(JobLease.Columns.job == job && JobLease.Columns.holder == holder).deleteAll(db)
        }
    }

    public func jobLease(job: String) async throws -> JobLease? {
        try await pool.read { db in try JobLease.fetchOne(db, key: job) }
    }
}
