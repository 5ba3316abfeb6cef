import Foundation
import PostgresNIO

/// One source row as the transfer writes it into PostgreSQL: the target table's columns and their
/// values, bound in order. Written with `ON CONFLICT DO NOTHING`, so that a second run changes
/// nothing; a row that was not inserted is then compared column by column with what the target
/// holds, and only an identical one counts as already there.
struct TargetRow: Sendable {
    /// The PostgreSQL table.
    let table: String
    /// How a report names the row, e.g. `audit_log id 42`.
    let name: String
    /// Whether an identity column is among the columns, whose value is kept (`OVERRIDING SYSTEM VALUE`).
    let keepsIdentity: Bool
    /// The primary key's column: the comparison finds the row through its index.
    let key: String
    private(set) var columns: [String] = []
    private(set) var binds = PostgresBindings()

    init(table: String, name: String, keepsIdentity: Bool, key: String) {
        self.table = table
        self.name = name
        self.keepsIdentity = keepsIdentity
        self.key = key
    }

    /// Appends a column and its value (NULL for nil).
    mutating func set<Value: PostgresThrowingDynamicTypeEncodable>(_ column: String, _ value: Value?) throws {
        columns.append(column)
        try binds.append(value)
    }

    /// Appends a time column, to the millisecond as both stores keep times.
    mutating func set(_ column: String, date: Date?) throws {
        try set(column, date.map(StoredDate.init))
    }

    /// `INSERT … ON CONFLICT DO NOTHING RETURNING 1`: a row back means this run inserted it.
    var insert: PostgresQuery {
        let values = columns.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        let overriding = keepsIdentity ? " OVERRIDING SYSTEM VALUE" : ""
        return PostgresQuery(
            unsafeSQL: "INSERT INTO \(table) (\(columns.joined(separator: ", ")))\(overriding) VALUES (\(values)) ON CONFLICT DO NOTHING RETURNING 1",
            binds: binds)
    }

    /// A row back when the target holds this very row, every column equal (NULLs included). The
    /// key's equality comes first: `IS NOT DISTINCT FROM` alone would scan the table for every row.
    var identical: PostgresQuery {
        let keyIndex = (columns.firstIndex(of: key) ?? 0) + 1
        let conditions = columns.enumerated().map { "\($1) IS NOT DISTINCT FROM $\($0 + 1)" }.joined(separator: " AND ")
        return PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) WHERE \(key) = $\(keyIndex) AND \(conditions) LIMIT 1", binds: binds)
    }
}

extension TargetRow {
    /// An application, its listing position (SQLite's rowid) kept so that review pages keep their order.
    init(_ a: ApplicationRecord, position: Int64) throws {
        self.init(table: "applications", name: "application \(a.id) (受付番号 \(a.receiptNumber))", keepsIdentity: true, key: "id")
        try set("position", position)
        try set("id", a.id)
        try set("receipt_number", a.receiptNumber)
        try set("status", a.status.rawValue)
        try set("institution_kind", a.institutionKind.rawValue)
        try set("prefecture_code", a.prefectureCode)
        try set("institution_code", a.institutionCode)
        try set("institution_name", a.institutionName)
        try set("application_kind", a.applicationKind.rawValue)
        try set("terms_agreed", a.termsAgreed)
        try set("line_type", a.lineType)
        try set("customer_id_type", a.customerIdType?.rawValue)
        try set("customer_id", a.customerId)
        try set("flets_v6_confirmed", a.fletsV6Confirmed)
        try set("planned_start_month", a.plannedStartMonth)
        try set("planned_test_month", a.plannedTestMonth)
        try set("secret_number_hash", a.secretNumberHash)
        try set("certificate_fee_payment", a.certificateFeePayment.rawValue)
        try set("contact_email", a.contactEmail)
        try set("access_token_hash", a.accessTokenHash)
        try set("warnings", a.warnings)
        try set("created_at", date: a.createdAt)
        try set("updated_at", date: a.updatedAt)
        try set("status_changed_at", date: a.statusChangedAt)
    }

    init(_ b: BlobRecord) throws {
        self.init(table: "blobs", name: "blob \(b.sha256)", keepsIdentity: false, key: "sha256")
        try set("sha256", b.sha256)
        try set("size", b.size)
        try set("created_at", date: b.createdAt)
    }

    init(_ d: DocumentRecord) throws {
        self.init(table: "documents", name: "document \(d.id ?? 0) of application \(d.applicationId)", keepsIdentity: true, key: "id")
        try set("id", d.id)
        try set("application_id", d.applicationId)
        try set("slot", d.slot.rawValue)
        try set("blob_sha256", d.blobSha256)
        try set("size", d.size)
        try set("original_filename", d.originalFilename)
        try set("detected_type", d.detectedType)
        try set("mime_type", d.mimeType)
        try set("uploaded_at", date: d.uploadedAt)
        try set("superseded_at", date: d.supersededAt)
        try set("quarantined_at", date: d.quarantinedAt)
    }

    init(_ r: ReviewerRecord) throws {
        self.init(table: "reviewers", name: "reviewer \(r.id ?? 0) (\(r.name))", keepsIdentity: true, key: "id")
        try set("id", r.id)
        try set("name", r.name)
        try set("token_hash", r.tokenHash)
        try set("created_at", date: r.createdAt)
        try set("revoked_at", date: r.revokedAt)
    }

    init(_ e: AuditEntry) throws {
        self.init(table: "audit_log", name: "audit_log id \(e.id ?? 0)", keepsIdentity: true, key: "id")
        try set("id", e.id)
        try set("application_id", e.applicationId)
        try set("at", date: e.at)
        try set("actor", e.actor)
        try set("action", e.action)
        try set("from_status", e.fromStatus?.rawValue)
        try set("to_status", e.toStatus?.rawValue)
        try set("reason", e.reason)
        try set("detail", e.detail)
    }

    init(_ n: OutboxMessage) throws {
        self.init(table: "outbox", name: "notice \(n.id ?? 0) (\(n.eventKey))", keepsIdentity: true, key: "id")
        try set("id", n.id)
        try set("application_id", n.applicationId)
        try set("kind", n.kind)
        try set("event_key", n.eventKey)
        try set("recipient", n.recipient)
        try set("payload", n.payload)
        try set("created_at", date: n.createdAt)
        try set("attempts", Int32(clamping: n.attempts))
        try set("next_attempt_at", date: n.nextAttemptAt)
        try set("sent_at", date: n.sentAt)
        try set("last_error", n.lastError)
    }

    init(_ h: LegalHold) throws {
        self.init(table: "legal_holds", name: "legal hold on application \(h.applicationId)", keepsIdentity: false, key: "application_id")
        try set("application_id", h.applicationId)
        try set("reason", h.reason)
        try set("set_at", date: h.setAt)
        try set("set_by", h.setBy)
    }

    init(_ r: DeletionRecord) throws {
        self.init(table: "deletion_records", name: "deletion record \(r.id ?? 0)", keepsIdentity: true, key: "id")
        try set("id", r.id)
        try set("application_id", r.applicationId)
        try set("document_id", r.documentId)
        try set("slot", r.slot.rawValue)
        try set("sha256", r.sha256)
        try set("size", r.size)
        try set("detected_type", r.detectedType)
        try set("uploaded_at", date: r.uploadedAt)
        try set("was_superseded", r.wasSuperseded)
        try set("deleted_at", date: r.deletedAt)
        try set("rule", r.rule)
        try set("actor", r.actor)
        try set("operator_user", r.operatorUser)
    }

    init(_ j: JobRunRecord) throws {
        self.init(table: "job_runs", name: "job run \(j.id ?? 0) (\(j.job))", keepsIdentity: true, key: "id")
        try set("id", j.id)
        try set("job", j.job)
        try set("started_at", date: j.startedAt)
        try set("finished_at", date: j.finishedAt)
        try set("outcome", j.outcome)
        try set("summary", j.summary)
        try set("actor", j.actor)
    }

    init(_ mark: CorruptBlobMark) throws {
        self.init(table: "blob_corruption", name: "corruption mark on blob \(mark.sha256)", keepsIdentity: false, key: "sha256")
        try set("sha256", mark.sha256)
        try set("detected_at", date: mark.detectedAt)
    }
}
