import Logging
import PostgresNIO

/// The PostgreSQL schema's single history, named like the SQLite store's migrations where they
/// correspond, and recorded in `schema_migrations`. Never edit a migration once shipped; add one.
///
/// Columns are in snake_case (PostgreSQL folds unquoted names to lower case); times are
/// `timestamptz` holding whole milliseconds (`StoredDate`).
enum PostgresMigrations {
    /// One migration: its name and its statements, run in order in the migrating transaction.
    struct Migration: Sendable {
        let name: String
        let statements: [String]
    }

    /// The advisory lock (transaction-scoped) that the migrating transaction holds, so that servers
    /// starting together migrate one after the other: the second finds the work done.
    static let lockKey: Int64 = 0x446F_6349_6E74_616B  // "DocIntak"

    static let all: [Migration] = [v1, v2, v3, v4, v5, v6, v7, v8]

    static let v1 = Migration(
        name: "v1",
        statements: [
            """
            CREATE TABLE applications (
                id text PRIMARY KEY,
                position bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT applications_position_unique UNIQUE,
                receipt_number text NOT NULL CONSTRAINT applications_receipt_number_unique UNIQUE,
                status text NOT NULL,
                institution_kind text NOT NULL,
                prefecture_code text NOT NULL,
                institution_code text,
                institution_name text NOT NULL,
                application_kind text NOT NULL,
                terms_agreed boolean NOT NULL,
                line_type text NOT NULL,
                customer_id_type text,
                customer_id text,
                flets_v6_confirmed boolean NOT NULL,
                planned_start_month text NOT NULL,
                planned_test_month text,
                secret_number_hash text NOT NULL,
                certificate_fee_payment text NOT NULL,
                contact_email text NOT NULL,
                access_token_hash text NOT NULL,
                warnings text NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                status_changed_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX applications_status ON applications (status)",
            """
            CREATE TABLE blobs (
                sha256 text PRIMARY KEY,
                size bigint NOT NULL,
                created_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE documents (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                application_id text NOT NULL REFERENCES applications (id),
                slot text NOT NULL,
                blob_sha256 text NOT NULL REFERENCES blobs (sha256),
                size bigint NOT NULL,
                original_filename text NOT NULL,
                detected_type text NOT NULL,
                mime_type text NOT NULL,
                uploaded_at timestamptz NOT NULL,
                superseded_at timestamptz
            )
            """,
            "CREATE INDEX documents_application_id ON documents (application_id)",
            "CREATE INDEX documents_blob_sha256 ON documents (blob_sha256)",
            // One current document per slot.
            "CREATE UNIQUE INDEX documents_current_slot ON documents (application_id, slot) WHERE superseded_at IS NULL",
            """
            CREATE TABLE reviewers (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name text NOT NULL CONSTRAINT reviewers_name_unique UNIQUE,
                token_hash text NOT NULL CONSTRAINT reviewers_token_hash_unique UNIQUE,
                created_at timestamptz NOT NULL,
                revoked_at timestamptz
            )
            """,
            """
            CREATE TABLE audit_log (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                application_id text,
                at timestamptz NOT NULL,
                actor text NOT NULL,
                action text NOT NULL,
                from_status text,
                to_status text,
                reason text,
                detail text
            )
            """,
            "CREATE INDEX audit_log_application_id ON audit_log (application_id)",
            // Append-only tables refuse UPDATE, DELETE and TRUNCATE, whoever asks.
            """
            CREATE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
            END
            $$
            """,
            """
            CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()
            """,
            """
            CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
            FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()
            """,
            """
            CREATE TABLE outbox (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                application_id text NOT NULL,
                kind text NOT NULL,
                event_key text NOT NULL CONSTRAINT outbox_event_key_unique UNIQUE,
                recipient text NOT NULL,
                payload text NOT NULL,
                created_at timestamptz NOT NULL,
                attempts integer NOT NULL,
                next_attempt_at timestamptz NOT NULL,
                sent_at timestamptz,
                last_error text
            )
            """,
            "CREATE INDEX outbox_application_id ON outbox (application_id)",
        ])

    /// Retention (issue 6): legal holds, deletion records, and the runs of maintenance jobs.
    static let v2 = Migration(
        name: "v2",
        statements: [
            // One row per standing hold; its history is in the audit log.
            """
            CREATE TABLE legal_holds (
                application_id text PRIMARY KEY REFERENCES applications (id),
                reason text NOT NULL,
                set_at timestamptz NOT NULL,
                set_by text NOT NULL
            )
            """,
            // No foreign key on document_id: the document row is gone, which is the point of the record.
            """
            CREATE TABLE deletion_records (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                application_id text NOT NULL REFERENCES applications (id),
                document_id bigint NOT NULL,
                slot text NOT NULL,
                sha256 text NOT NULL,
                size bigint NOT NULL,
                detected_type text NOT NULL,
                uploaded_at timestamptz NOT NULL,
                was_superseded boolean NOT NULL,
                deleted_at timestamptz NOT NULL,
                rule text NOT NULL,
                actor text NOT NULL,
                operator_user text NOT NULL
            )
            """,
            "CREATE INDEX deletion_records_application_id ON deletion_records (application_id)",
            "CREATE INDEX deletion_records_sha256 ON deletion_records (sha256)",
            """
            CREATE TRIGGER deletion_records_append_only BEFORE UPDATE OR DELETE ON deletion_records
            FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()
            """,
            """
            CREATE TRIGGER deletion_records_no_truncate BEFORE TRUNCATE ON deletion_records
            FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()
            """,
            """
            CREATE TABLE job_runs (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                job text NOT NULL,
                started_at timestamptz NOT NULL,
                finished_at timestamptz NOT NULL,
                outcome text NOT NULL,
                summary text NOT NULL,
                actor text NOT NULL
            )
            """,
            "CREATE INDEX job_runs_job ON job_runs (job, id)",
        ])

    /// Notice delivery (issue 9): the deliverers look for due, undelivered notices.
    static let v3 = Migration(
        name: "v3",
        statements: ["CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL"])

    /// Rescanning stored documents (issue 22): quarantine, and one rescan at a time across servers.
    static let v4 = Migration(
        name: "v4",
        statements: [
            "ALTER TABLE documents ADD COLUMN quarantined_at timestamptz",
            """
            CREATE TABLE job_leases (
                job text PRIMARY KEY,
                holder text NOT NULL,
                expires_at timestamptz NOT NULL
            )
            """,
        ])

    /// Scale-out (issue 18): an upload's claim on the blobs it is about to reference, so that no
    /// collector on another server takes them between their placement and the commit of the rows.
    static let v5 = Migration(
        name: "v5",
        statements: [
            """
            CREATE TABLE blob_reservations (
                reservation_id text NOT NULL,
                sha256 text NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
                expires_at timestamptz NOT NULL,
                PRIMARY KEY (reservation_id, sha256)
            )
            """,
            "CREATE INDEX blob_reservations_sha256 ON blob_reservations (sha256)",
        ])

    /// Integrity (issue 19): a blob a read found corrupt, refused by every server before any byte.
    /// No foreign key, as in SQLite: the mark outlives neither the blob nor its collection.
    static let v6 = Migration(
        name: "v6",
        statements: ["CREATE TABLE blob_corruption (sha256 text PRIMARY KEY, detected_at timestamptz NOT NULL)"])

    /// Resumable uploads (issue 21): one row per session, its offset moved only over fsynced bytes,
    /// its lease letting one request append at a time, whichever server it lands on.
    static let v7 = Migration(
        name: "v7",
        statements: [
            """
            CREATE TABLE upload_sessions (
                id_hash text PRIMARY KEY,
                slot text NOT NULL,
                length bigint NOT NULL,
                "offset" bigint NOT NULL,
                filename text NOT NULL,
                created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                state text NOT NULL,
                detected_type text,
                sha256 text,
                refusal_code text,
                refusal_message text,
                refusal_message_en text,
                lease_holder text,
                lease_expires_at timestamptz
            )
            """,
            "CREATE INDEX upload_sessions_expiry ON upload_sessions (expires_at)",
        ])

    /// Resumable uploads any server can continue: the runs of bytes in the bucket, as JSON.
    static let v8 = Migration(
        name: "v8",
        statements: [
            "ALTER TABLE upload_sessions ADD COLUMN segments text NOT NULL DEFAULT '[]'"
        ])

    /// Applies every migration the database lacks, in one transaction on `connection` that holds the
    /// migration lock; returns the names applied now. Throws `.schemaTooNew` (changing nothing) when
    /// the database lists a migration this version does not know.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
        try await connection.query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            logger: logger)
        let applied = try await appliedNames(connection, logger: logger)
        let unknown = Set(applied).subtracting(all.map(\.name))
        if !unknown.isEmpty { throw MetadataStoreError.schemaTooNew(unknownMigrations: unknown.sorted()) }
        var appliedNow: [String] = []
        for migration in all where !applied.contains(migration.name) {
            for statement in migration.statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
            appliedNow.append(migration.name)
        }
        return appliedNow
    }

    /// The recorded migrations, in the order of `all` (those of a newer version last, by name).
    static func appliedNames(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        var names: [String] = []
        for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
            names.append(name)
        }
        let order = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1.name, $0) })
        return names.sorted { (order[$0] ?? Int.max, $0) < (order[$1] ?? Int.max, $1) }
    }
}
