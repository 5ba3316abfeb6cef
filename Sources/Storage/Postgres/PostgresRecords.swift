import DocIntakeAPI
import Foundation
import NIOCore
import PostgresNIO

/// A time as the metadata stores keep it: whole milliseconds, like the SQLite store's text dates, so
/// that a date read back from either store equals the one written (to the millisecond) and the
/// checks that compare dates (retention's status time) behave the same on both. Kept in
/// `timestamptz` columns.
struct StoredDate: PostgresNonThrowingEncodable, PostgresDecodable, Sendable {
    /// Milliseconds since 1970.
    let milliseconds: Int64

    init(_ date: Date) {
        milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    var date: Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// PostgreSQL's epoch, 2000-01-01, in milliseconds since 1970.
    private static let postgresEpoch: Int64 = 946_684_800_000

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger((milliseconds - Self.postgresEpoch) * 1000)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary, buffer.readableBytes == 8,
            let microseconds = buffer.readInteger(as: Int64.self)
        else { throw PostgresDecodingError.Code.typeMismatch }
        // A time PostgreSQL made itself (now()) has microseconds: dropped, rounding down as SQLite's text does.
        let whole = microseconds >= 0 ? microseconds / 1000 : (microseconds - 999) / 1000
        milliseconds = whole + Self.postgresEpoch
    }
}

extension PostgresQuery.StringInterpolation {
    /// Binds `date` to the millisecond, as the stores keep times.
    mutating func appendInterpolation(stored date: Date) {
        appendInterpolation(StoredDate(date))
    }

    /// Binds `date` to the millisecond, or NULL.
    mutating func appendInterpolation(stored date: Date?) {
        appendInterpolation(date.map(StoredDate.init))
    }
}

/// Reading a result row by column name.
struct ColumnReader {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    subscript<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) -> T {
        get throws { try row[column].decode(T.self) }
    }

    func date(_ column: String) throws -> Date { try row[column].decode(StoredDate.self).date }

    func optionalDate(_ column: String) throws -> Date? { try row[column].decode(StoredDate?.self)?.date }

    /// A column holding an enumeration's raw value (a status, a slot, a kind). A text no case names
    /// throws `.unknownValue`, as GRDB refuses it in the SQLite store, rather than reading as a default.
    func value<T: RawRepresentable>(_ column: String, as type: T.Type = T.self) throws -> T where T.RawValue == String {
        let text = try row[column].decode(String.self)
        guard let value = T(rawValue: text) else { throw MetadataStoreError.unknownValue(column: column, value: text) }
        return value
    }

    /// `value(_:as:)`, or nil for NULL.
    func optionalValue<T: RawRepresentable>(_ column: String, as type: T.Type = T.self) throws -> T? where T.RawValue == String {
        guard let text = try row[column].decode(String?.self) else { return nil }
        guard let value = T(rawValue: text) else { throw MetadataStoreError.unknownValue(column: column, value: text) }
        return value
    }
}

/// The columns each record is read from, in the order the `decode` functions below expect them by name.
enum PostgresColumns {
    static let application = """
        id, receipt_number, status, institution_kind, prefecture_code, institution_code, institution_name, application_kind,
        terms_agreed, line_type, customer_id_type, customer_id, flets_v6_confirmed, planned_start_month, planned_test_month,
        secret_number_hash, certificate_fee_payment, contact_email, access_token_hash, warnings, created_at, updated_at,
        status_changed_at
        """
    static let document = """
        id, application_id, slot, blob_sha256, size, original_filename, detected_type, mime_type, uploaded_at, superseded_at,
        quarantined_at
        """
    static let audit = "id, application_id, at, actor, action, from_status, to_status, reason, detail"
    static let outbox = """
        id, application_id, kind, event_key, recipient, payload, created_at, attempts, next_attempt_at, sent_at, last_error
        """
    static let reviewer = "id, name, token_hash, created_at, revoked_at"
    static let deletion = """
        id, application_id, document_id, slot, sha256, size, detected_type, uploaded_at, was_superseded, deleted_at, rule, actor,
        operator_user
        """
    static let hold = "application_id, reason, set_at, set_by"
    static let jobRun = "id, job, started_at, finished_at, outcome, summary, actor"
}

extension ApplicationRecord {
    init(_ row: PostgresRow) throws {
        let c = ColumnReader(row)
        self.init(
            id: try c["id"], receiptNumber: try c["receipt_number"], status: try c.value("status"),
            institutionKind: try c.value("institution_kind"), prefectureCode: try c["prefecture_code"],
            institutionCode: try c["institution_code"], institutionName: try c["institution_name"],
            applicationKind: try c.value("application_kind"), termsAgreed: try c["terms_agreed"], lineType: try c["line_type"],
            customerIdType: try c.optionalValue("customer_id_type"), customerId: try c["customer_id"],
            fletsV6Confirmed: try c["flets_v6_confirmed"], plannedStartMonth: try c["planned_start_month"],
            plannedTestMonth: try c["planned_test_month"], secretNumberHash: try c["secret_number_hash"],
            certificateFeePayment: try c.value("certificate_fee_payment"), contactEmail: try c["contact_email"],
            accessTokenHash: try c["access_token_hash"], warnings: try c["warnings"], createdAt: try c.date("created_at"))
        updatedAt = try c.date("updated_at")
        statusChangedAt = try c.date("status_changed_at")
    }
}

extension DocumentRecord {
    init(_ row: PostgresRow) throws {
        let c = ColumnReader(row)
        self.init(
            applicationId: try c["application_id"], slot: try c.value("slot"), blobSha256: try c["blob_sha256"], size: try c["size"],
            originalFilename: try c["original_filename"], detectedType: try c["detected_type"], mimeType: try c["mime_type"],
            uploadedAt: try c.date("uploaded_at"))
        id = try c["id"]
        supersededAt = try c.optionalDate("superseded_at")
        quarantinedAt = try c.optionalDate("quarantined_at")
    }
}

extension AuditEntry {
    init(_ row: PostgresRow) throws {
        let c = ColumnReader(row)
        self.init(
            applicationId: try c["application_id"], at: try c.date("at"), actor: try c["actor"], action: try c["action"],
            fromStatus: try c.optionalValue("from_status"), toStatus: try c.optionalValue("to_status"), reason: try c["reason"],
            detail: try c["detail"])
        id = try c["id"]
    }
}

extension OutboxMessage {
    init(_ row: PostgresRow) throws {
        let c = ColumnReader(row)
        self.init(
            applicationId: try c["application_id"], kind: try c["kind"], recipient: try c["recipient"], payload: try c["payload"],
            createdAt: try c.date("created_at"))
        id = try c["id"]
        eventKey = try c["event_key"]
        attempts = try c["attempts"]
        nextAttemptAt = try c.date("next_attempt_at")
        sentAt = try c.optionalDate("sent_at")
        lastError = try c["last_error"]
    }
}

extension ReviewerRecord {
    init(_ row: PostgresRow) throws {
        let c = ColumnReader(row)
        self.init(name: try c["name"], tokenHash: try c["token_hash"], createdAt: try c.date("created_at"))
        id = try c["id"]
        revokedAt = try c.optionalDate("revoked_at")
    }
}

extension DeletionRecord {
    init(_ row: PostgresRow) throws {
        let c = ColumnReader(row)
        var document = DocumentRecord(
            applicationId: try c["application_id"], slot: try c.value("slot"), blobSha256: try c["sha256"], size: try c["size"],
            originalFilename: "", detectedType: try c["detected_type"], mimeType: "", uploadedAt: try c.date("uploaded_at"))
        document.id = try c["document_id"]
        self.init(
            deleting: document, at: try c.date("deleted_at"), rule: try c["rule"], actor: try c["actor"],
            operatorUser: try c["operator_user"])
        wasSuperseded = try c["was_superseded"]
        id = try c["id"]
    }
}

extension LegalHold {
    init(_ row: PostgresRow) throws {
        let c = ColumnReader(row)
        self.init(applicationId: try c["application_id"], reason: try c["reason"], setAt: try c.date("set_at"), setBy: try c["set_by"])
    }
}

extension JobRunRecord {
    init(_ row: PostgresRow) throws {
        let c = ColumnReader(row)
        self.init(
            job: try c["job"], startedAt: try c.date("started_at"), finishedAt: try c.date("finished_at"), outcome: try c["outcome"],
            summary: try c["summary"], actor: try c["actor"])
        id = try c["id"]
    }
}

extension BlobRecord {
    init(_ row: PostgresRow) throws {
        let c = ColumnReader(row)
        self.init(sha256: try c["sha256"], size: try c["size"], createdAt: try c.date("created_at"))
    }
}
