import DocIntakeAPI
import Foundation
import PostgresNIO

extension PostgresMetadataStore: ApplicationStore {
    public func insertApplication(
        _ application: ApplicationRecord, documents: [DocumentRecord], audit: AuditEntry, notice: OutboxMessage?,
        releasing reservation: BlobReservation?
    ) async throws {
        try await transaction { connection in
            let a = application
            try await connection.run(
                """
                INSERT INTO applications (\(unescaped: PostgresColumns.application)) VALUES (
                    \(a.id), \(a.receiptNumber), \(a.status.rawValue), \(a.institutionKind.rawValue), \(a.prefectureCode), \(a.institutionCode),
                    \(a.institutionName), \(a.applicationKind.rawValue), \(a.termsAgreed), \(a.lineType), \(a.customerIdType?.rawValue),
                    \(a.customerId),
                    \(a.fletsV6Confirmed), \(a.plannedStartMonth), \(a.plannedTestMonth), \(a.secretNumberHash),
                    \(a.certificateFeePayment.rawValue), \(a.contactEmail), \(a.accessTokenHash), \(a.warnings), \(stored: a.createdAt),
                    \(stored: a.updatedAt), \(stored: a.statusChangedAt))
                """, logger: self.logger)
            // Blob rows first, in digest order like reservations: two uploads sharing new blobs never
            // wait for each other's rows in opposite orders.
            for document in documents.sorted(by: { $0.blobSha256 < $1.blobSha256 }) {
                try await self.ensureBlobRow(of: document, on: connection)
            }
            for document in documents {
                _ = try await self.insert(document, on: connection)
            }
            let auditId = try await self.insert(audit, on: connection)
            if let notice { try await self.queue(notice, auditId: auditId, on: connection) }
            if let reservation { try await self.release(reservation, on: connection) }
        }
        if notice != nil { queued.wakeup.fire() }
    }

    public func application(id: String) async throws -> ApplicationRecord? {
        try await rows("SELECT \(unescaped: PostgresColumns.application) FROM applications WHERE id = \(id)")
            .first.map(ApplicationRecord.init)
    }

    public func applicationId(receiptNumber: String) async throws -> String? {
        try await rows("SELECT id FROM applications WHERE receipt_number = \(receiptNumber)").first?.decode(String.self)
    }

    public func documents(applicationId: String) async throws -> [DocumentRecord] {
        try await rows("SELECT \(unescaped: PostgresColumns.document) FROM documents WHERE application_id = \(applicationId) ORDER BY id")
            .map(DocumentRecord.init)
    }

    public func currentDocument(applicationId: String, slot: DocumentSlot) async throws -> DocumentRecord? {
        try await rows(
            """
            SELECT \(unescaped: PostgresColumns.document) FROM documents
            WHERE application_id = \(applicationId) AND slot = \(slot.rawValue) AND superseded_at IS NULL
            """
        ).first.map(DocumentRecord.init)
    }

    public func replaceDocument(
        _ document: DocumentRecord, allowedStatuses: Set<ApplicationStatus>, audit: AuditEntry, releasing reservation: BlobReservation?
    ) async throws {
        try await transaction { connection in
            let application = try await self.lockApplication(document.applicationId, on: connection)
            guard allowedStatuses.contains(application.status) else {
                throw MetadataStoreError.statusConflict(current: application.status)
            }
            try await connection.run(
                """
                UPDATE documents SET superseded_at = \(stored: document.uploadedAt)
                WHERE application_id = \(document.applicationId) AND slot = \(document.slot.rawValue) AND superseded_at IS NULL
                """, logger: self.logger)
            _ = try await self.insert(document, on: connection)
            try await connection.run(
                "UPDATE applications SET updated_at = \(stored: document.uploadedAt) WHERE id = \(document.applicationId)",
                logger: self.logger)
            _ = try await self.insert(audit, on: connection)
            if let reservation { try await self.release(reservation, on: connection) }
        }
    }

    public func correctFields(_ corrected: ApplicationRecord, allowedStatuses: Set<ApplicationStatus>, audit: AuditEntry) async throws {
        try await transaction { connection in
            let application = try await self.lockApplication(corrected.id, on: connection)
            guard allowedStatuses.contains(application.status) else {
                throw MetadataStoreError.statusConflict(current: application.status)
            }
            let c = corrected
            try await connection.run(
                """
                UPDATE applications SET prefecture_code = \(c.prefectureCode), institution_code = \(c.institutionCode),
                    institution_name = \(c.institutionName), line_type = \(c.lineType), customer_id_type = \(c.customerIdType?.rawValue),
                    customer_id = \(c.customerId), planned_start_month = \(c.plannedStartMonth),
                    planned_test_month = \(c.plannedTestMonth), certificate_fee_payment = \(c.certificateFeePayment.rawValue),
                    contact_email = \(c.contactEmail), warnings = \(c.warnings), updated_at = \(stored: audit.at)
                WHERE id = \(c.id)
                """, logger: self.logger)
            _ = try await self.insert(audit, on: connection)
        }
    }

    public func replaceAccessToken(applicationId: String, tokenHash: String, audit: AuditEntry) async throws {
        try await transaction { connection in
            let updated = try await connection.rows(
                "UPDATE applications SET access_token_hash = \(tokenHash) WHERE id = \(applicationId) RETURNING id", logger: self.logger)
            guard !updated.isEmpty else { throw MetadataStoreError.notFound }
            _ = try await self.insert(audit, on: connection)
        }
    }

    public func quarantine(_ quarantine: DocumentQuarantine) async throws -> DocumentQuarantineOutcome {
        let outcome = try await transaction { connection in
            // The application's row first, as every change of its documents takes it: a replacement
            // waits for the quarantine, or the quarantine sees the document superseded.
            let application = try await self.lockApplication(quarantine.applicationId, on: connection)
            var marked: [Int64] = []
            for finding in quarantine.findings {
                let updated = try await connection.rows(
                    """
                    UPDATE documents SET quarantined_at = \(stored: finding.audit.at)
                    WHERE id = \(finding.documentId) AND application_id = \(quarantine.applicationId)
                        AND superseded_at IS NULL AND quarantined_at IS NULL
                    RETURNING id
                    """, logger: self.logger)
                guard !updated.isEmpty else { continue }
                _ = try await self.insert(finding.audit, on: connection)
                marked.append(finding.documentId)
            }
            guard !marked.isEmpty, quarantine.returnFrom.contains(application.status) else {
                return DocumentQuarantineOutcome(quarantined: marked, returned: false)
            }
            _ = try await self.move(
                application, to: quarantine.returnTo, audit: quarantine.returnAudit, notice: quarantine.notice, on: connection)
            return DocumentQuarantineOutcome(quarantined: marked, returned: true)
        }
        if outcome.returned, quarantine.notice != nil { queued.wakeup.fire() }
        return outcome
    }

    // MARK: Writes shared by several changes, inside the caller's transaction

    /// The application's row, locked until the transaction ends (`FOR UPDATE`): of two servers
    /// changing one application, the second waits and then sees the first one's change.
    func lockApplication(_ id: String, on connection: PostgresConnection) async throws -> ApplicationRecord {
        guard
            let row = try await connection.rows(
                "SELECT \(unescaped: PostgresColumns.application) FROM applications WHERE id = \(id) FOR UPDATE", logger: logger
            ).first
        else { throw MetadataStoreError.notFound }
        return try ApplicationRecord(row)
    }

    /// The writes of a status change: the application, its audit entry (with both statuses) and
    /// its notice. Returns the application as changed.
    func move(
        _ application: ApplicationRecord, to status: ApplicationStatus, audit: AuditEntry, notice: OutboxMessage?, on connection: PostgresConnection
    ) async throws -> ApplicationRecord {
        var application = application
        var audit = audit
        audit.fromStatus = application.status
        audit.toStatus = status
        application.status = status
        application.updatedAt = audit.at
        application.statusChangedAt = audit.at
        try await connection.run(
            """
            UPDATE applications SET status = \(status.rawValue), updated_at = \(stored: audit.at), status_changed_at = \(stored: audit.at)
            WHERE id = \(application.id)
            """, logger: logger)
        let auditId = try await insert(audit, on: connection)
        if let notice { try await queue(notice, auditId: auditId, on: connection) }
        return application
    }

    /// Makes the row of `document`'s blob when an upload without a reservation (or with an expired
    /// one, collected since) left none, as the SQLite store does.
    func ensureBlobRow(of document: DocumentRecord, on connection: PostgresConnection) async throws {
        try await connection.run(
            """
            INSERT INTO blobs (sha256, size, created_at) VALUES (\(document.blobSha256), \(document.size), \(stored: document.uploadedAt))
            ON CONFLICT (sha256) DO NOTHING
            """, logger: logger)
    }

    /// Inserts `document` (and its blob's row if it has none); returns its id.
    func insert(_ document: DocumentRecord, on connection: PostgresConnection) async throws -> Int64 {
        let d = document
        try await ensureBlobRow(of: d, on: connection)
        let rows = try await connection.rows(
            """
            INSERT INTO documents (application_id, slot, blob_sha256, size, original_filename, detected_type, mime_type,
                uploaded_at, superseded_at, quarantined_at)
            VALUES (\(d.applicationId), \(d.slot.rawValue), \(d.blobSha256), \(d.size), \(d.originalFilename), \(d.detectedType),
                \(d.mimeType), \(stored: d.uploadedAt), \(stored: d.supersededAt), \(stored: d.quarantinedAt))
            RETURNING id
            """, logger: logger)
        return try rows[0].decode(Int64.self)
    }

    /// Appends `entry` to the audit log; returns its id.
    func insert(_ entry: AuditEntry, on connection: PostgresConnection) async throws -> Int64 {
        let e = entry
        let rows = try await connection.rows(
            """
            INSERT INTO audit_log (application_id, at, actor, action, from_status, to_status, reason, detail)
            VALUES (\(e.applicationId), \(stored: e.at), \(e.actor), \(e.action), \(e.fromStatus?.rawValue),
                \(e.toStatus?.rawValue), \(e.reason), \(e.detail))
            RETURNING id
            """, logger: logger)
        return try rows[0].decode(Int64.self)
    }

    /// Queues `notice` for the event audited as `auditId`, and notifies the listening servers (at COMMIT).
    func queue(_ notice: OutboxMessage, auditId: Int64, on connection: PostgresConnection) async throws {
        // One notice per audited event, as in the SQLite store: the unique key refuses a second one.
        let eventKey = "\(notice.kind):audit:\(auditId)"
        let n = notice
        try await connection.run(
            """
            INSERT INTO outbox (application_id, kind, event_key, recipient, payload, created_at, attempts, next_attempt_at,
                sent_at, last_error)
            VALUES (\(n.applicationId), \(n.kind), \(eventKey), \(n.recipient), \(n.payload), \(stored: n.createdAt), \(n.attempts),
                \(stored: n.nextAttemptAt), \(stored: n.sentAt), \(n.lastError))
            """, logger: logger)
        try await connection.run("SELECT pg_notify(\(QueuedNoticeSignal.channel), '')", logger: logger)
    }
}
