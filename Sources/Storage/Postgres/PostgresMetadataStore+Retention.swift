import DocIntakeAPI
import Foundation
import PostgresNIO

extension PostgresMetadataStore: RetentionStore {
    public func retentionCandidates(statuses: Set<ApplicationStatus>) async throws -> [RetentionCandidate] {
        let statuses = statuses.map(\.rawValue)
        return try await transaction { connection in
            // One snapshot for the three reads, as the SQLite store's read transaction gives.
            try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: self.logger)
            let applications = try await connection.rows(
                """
                SELECT \(unescaped: PostgresColumns.application) FROM applications WHERE status = ANY(\(statuses))
                ORDER BY created_at, id COLLATE "C"
                """, logger: self.logger
            ).map(ApplicationRecord.init)
            let documents = try await connection.rows(
                """
                SELECT documents.* FROM documents JOIN applications ON applications.id = documents.application_id
                WHERE applications.status = ANY(\(statuses)) ORDER BY documents.id
                """, logger: self.logger
            ).map(DocumentRecord.init)
            let holds = try await connection.rows("SELECT \(unescaped: PostgresColumns.hold) FROM legal_holds", logger: self.logger)
                .map(LegalHold.init)
            let byApplication = Dictionary(grouping: documents, by: \.applicationId)
            let holdOf = Dictionary(holds.map { ($0.applicationId, $0) }, uniquingKeysWith: { first, _ in first })
            return applications.map { application in
                RetentionCandidate(application: application, documents: byApplication[application.id] ?? [], hold: holdOf[application.id])
            }
        }
    }

    public func expireDocuments(_ expiry: DocumentExpiry) async throws -> DocumentExpiryOutcome {
        try await transaction { connection in
            let found = try await connection.rows(
                "SELECT \(unescaped: PostgresColumns.application) FROM applications WHERE id = \(expiry.applicationId) FOR UPDATE",
                logger: self.logger
            ).first.map(ApplicationRecord.init)
            // Within a millisecond: the precision dates have in the database.
            guard let application = found, application.status == expiry.expectedStatus,
                abs(application.statusChangedAt.timeIntervalSince(expiry.expectedStatusChangedAt)) < 0.001
            else { return .changed(currentStatus: found?.status) }
            // The application's lock orders this against setLegalHold, which takes it too.
            let held = try await connection.rows(
                "SELECT 1 FROM legal_holds WHERE application_id = \(expiry.applicationId)", logger: self.logger)
            if !held.isEmpty { return .held }

            var closed = false
            if let closing = expiry.closingStatus {
                let audit = AuditEntry(
                    applicationId: application.id, at: expiry.at, actor: expiry.actor, action: "withdraw",
                    fromStatus: application.status, toStatus: closing, reason: expiry.closingReason)
                try await connection.run(
                    """
                    UPDATE applications SET status = \(closing.rawValue), updated_at = \(stored: expiry.at), status_changed_at = \(stored: expiry.at)
                    WHERE id = \(application.id)
                    """, logger: self.logger)
                _ = try await self.insert(audit, on: connection)
                closed = true
            }

            let documents = try await connection.rows(
                "SELECT \(unescaped: PostgresColumns.document) FROM documents WHERE application_id = \(application.id) ORDER BY id",
                logger: self.logger
            ).map(DocumentRecord.init)
            var deleted: [DeletionRecord] = []
            for document in documents {
                var record = DeletionRecord(
                    deleting: document, at: expiry.at, rule: expiry.rule, actor: expiry.actor, operatorUser: expiry.operatorUser)
                record.id = try await self.insert(record, on: connection)
                try await connection.run("DELETE FROM documents WHERE id = \(document.id)", logger: self.logger)
                deleted.append(record)
            }
            if !deleted.isEmpty {
                let detail = deleted.map { #"{"document_id":\#($0.documentId),"slot":"\#($0.slot.rawValue)","sha256":"\#($0.sha256)"}"# }
                let audit = AuditEntry(
                    applicationId: application.id, at: expiry.at, actor: expiry.actor, action: "delete_documents",
                    reason: "retention rule \(expiry.rule)", detail: #"{"documents":[\#(detail.joined(separator: ","))]}"#)
                _ = try await self.insert(audit, on: connection)
            }
            return .expired(closed: closed, deleted: deleted)
        }
    }

    public func deletionRecords(applicationId: String?) async throws -> [DeletionRecord] {
        try await rows(
            """
            SELECT \(unescaped: PostgresColumns.deletion) FROM deletion_records
            WHERE \(applicationId)::text IS NULL OR application_id = \(applicationId)::text ORDER BY id
            """
        ).map(DeletionRecord.init)
    }

    public func setLegalHold(_ hold: LegalHold, audit: AuditEntry) async throws {
        try await transaction { connection in
            _ = try await self.lockApplication(hold.applicationId, on: connection)
            try await connection.run(
                """
                INSERT INTO legal_holds (application_id, reason, set_at, set_by)
                VALUES (\(hold.applicationId), \(hold.reason), \(stored: hold.setAt), \(hold.setBy))
                ON CONFLICT (application_id) DO UPDATE SET reason = EXCLUDED.reason, set_at = EXCLUDED.set_at, set_by = EXCLUDED.set_by
                """, logger: self.logger)
            _ = try await self.insert(audit, on: connection)
        }
    }

    public func clearLegalHold(applicationId: String, audit: AuditEntry) async throws -> Bool {
        try await transaction { connection in
            _ = try await self.lockApplication(applicationId, on: connection)
            let cleared = try await connection.rows(
                "DELETE FROM legal_holds WHERE application_id = \(applicationId) RETURNING application_id", logger: self.logger)
            guard !cleared.isEmpty else { return false }
            _ = try await self.insert(audit, on: connection)
            return true
        }
    }

    public func legalHolds() async throws -> [LegalHold] {
        try await rows("SELECT \(unescaped: PostgresColumns.hold) FROM legal_holds ORDER BY set_at, application_id COLLATE \"C\"")
            .map(LegalHold.init)
    }

    /// Writes `record`; returns its id.
    private func insert(_ record: DeletionRecord, on connection: PostgresConnection) async throws -> Int64 {
        let r = record
        return try await connection.rows(
            """
            INSERT INTO deletion_records (application_id, document_id, slot, sha256, size, detected_type, uploaded_at, was_superseded,
                deleted_at, rule, actor, operator_user)
            VALUES (\(r.applicationId), \(r.documentId), \(r.slot.rawValue), \(r.sha256), \(r.size), \(r.detectedType), \(stored: r.uploadedAt),
                \(r.wasSuperseded), \(stored: r.deletedAt), \(r.rule), \(r.actor), \(r.operatorUser))
            RETURNING id
            """, logger: logger
        )[0].decode(Int64.self)
    }
}
