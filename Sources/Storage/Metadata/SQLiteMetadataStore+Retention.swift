import DocIntakeAPI
import Foundation
import GRDB

extension SQLiteMetadataStore {
    public func retentionCandidates(statuses: Set<ApplicationStatus>) async throws -> [RetentionCandidate] {
        try await pool.read { db in
            let applications =
                try ApplicationRecord
                .filter(statuses.contains(ApplicationRecord.Columns.status))
                .order(ApplicationRecord.Columns.createdAt, ApplicationRecord.Columns.id)
                .fetchAll(db)
            let placeholders = databaseQuestionMarks(count: statuses.count)
            let documents = try DocumentRecord.fetchAll(
                db,
                sql: """
                    SELECT documents.* FROM documents JOIN applications ON applications.id = documents.applicationId
                    WHERE applications.status IN (\(placeholders)) ORDER BY documents.id
                    """, arguments: StatementArguments(Array(statuses)))
            let byApplication = Dictionary(grouping: documents, by: \.applicationId)
            let holds = Dictionary(uniqueKeysWithValues: try LegalHold.fetchAll(db).map { ($0.applicationId, $0) })
            return applications.map { application in
                RetentionCandidate(
                    application: application, documents: byApplication[application.id] ?? [],
                    hold: holds[application.id])
            }
        }
    }

    public func expireDocuments(_ expiry: DocumentExpiry) async throws -> DocumentExpiryOutcome {
        try await writeImmediate { db in
            // Within a millisecond: the precision dates have in the database.
            guard var application = try ApplicationRecord.fetchOne(db, key: expiry.applicationId),
                application.status == expiry.expectedStatus,
                abs(application.statusChangedAt.timeIntervalSince(expiry.expectedStatusChangedAt)) < 0.001
            else {
                return .changed(currentStatus: try ApplicationRecord.fetchOne(db, key: expiry.applicationId)?.status)
            }
            if try LegalHold.exists(db, key: expiry.applicationId) { return .held }

            var closed = false
            if let closing = expiry.closingStatus {
                var audit = AuditEntry(
                    applicationId: application.id, at: expiry.at, actor: expiry.actor, action: "withdraw",
                    fromStatus: application.status, toStatus: closing, reason: expiry.closingReason)
                application.status = closing
                application.updatedAt = expiry.at
                application.statusChangedAt = expiry.at
                try application.update(db)
                try audit.insert(db)
                closed = true
            }

            let documents =
                try DocumentRecord
                .filter(DocumentRecord.Columns.applicationId == application.id)
                .order(DocumentRecord.Columns.id)
                .fetchAll(db)
            var deleted: [DeletionRecord] = []
            for document in documents {
                var record = DeletionRecord(
                    deleting: document, at: expiry.at, rule: expiry.rule, actor: expiry.actor,
                    operatorUser: expiry.operatorUser)
                try record.insert(db)
                _ = try document.delete(db)
                deleted.append(record)
            }
            if !deleted.isEmpty {
                let detail = deleted.map { #"{"document_id":\#($0.documentId),"slot":"\#($0.slot.rawValue)","sha256":"\#($0.sha256)"}"# }
                var audit = AuditEntry(
                    applicationId: application.id, at: expiry.at, actor: expiry.actor, action: "delete_documents",
                    reason: "retention rule \(expiry.rule)", detail: #"{"documents":[\#(detail.joined(separator: ","))]}"#)
                try audit.insert(db)
            }
            return .expired(closed: closed, deleted: deleted)
        }
    }

    public func deletionRecords(applicationId: String?) async throws -> [DeletionRecord] {
        try await pool.read { db in
            var request = DeletionRecord.order(DeletionRecord.Columns.id)
            if let applicationId { request = request.filter(DeletionRecord.Columns.applicationId == applicationId) }
            return try request.fetchAll(db)
        }
    }

    public func setLegalHold(_ hold: LegalHold, audit: AuditEntry) async throws {
        try await writeImmediate { db in
            guard try ApplicationRecord.exists(db, key: hold.applicationId) else { throw MetadataStoreError.notFound }
            try hold.save(db)
            var audit = audit
            try audit.insert(db)
        }
    }

    public func clearLegalHold(applicationId: String, audit: AuditEntry) async throws -> Bool {
        try await writeImmediate { db in
            guard try ApplicationRecord.exists(db, key: applicationId) else { throw MetadataStoreError.notFound }
            guard try LegalHold.deleteOne(db, key: applicationId) else { return false }
            var audit = audit
            try audit.insert(db)
            return true
        }
    }

    public func legalHolds() async throws -> [LegalHold] {
        try await pool.read { db in try LegalHold.order(LegalHold.Columns.setAt, LegalHold.Columns.applicationId).fetchAll(db) }
    }

    public func recordJobRun(_ run: JobRunRecord) async throws {
        try await writeImmediate { db in
            var run = run
            try run.insert(db)
        }
    }

    public func lastJobRun(job: String) async throws -> JobRunRecord? {
        try await pool.read { db in
            try JobRunRecord.filter(JobRunRecord.Columns.job == job).order(JobRunRecord.Columns.id.desc).fetchOne(db)
        }
    }
}
