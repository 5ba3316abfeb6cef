import GRDB

extension SQLiteMetadataStore {
    /// The schema's single history. Never edit a registered migration; add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "applications") { t in
                t.primaryKey("id", .text)
                t.column("receiptNumber", .text).notNull().unique()
                t.column("status", .text).notNull().indexed()
                t.column("institutionKind", .text).notNull()
                t.column("prefectureCode", .text).notNull()
                t.column("institutionCode", .text)
                t.column("institutionName", .text).notNull()
                t.column("applicationKind", .text).notNull()
                t.column("termsAgreed", .boolean).notNull()
                t.column("lineType", .text).notNull()
                t.column("customerIdType", .text)
                t.column("customerId", .text)
                t.column("fletsV6Confirmed", .boolean).notNull()
                t.column("plannedStartMonth", .text).notNull()
                t.column("plannedTestMonth", .text)
                t.column("secretNumberHash", .text).notNull()
                t.column("certificateFeePayment", .text).notNull()
                t.column("contactEmail", .text).notNull()
                t.column("accessTokenHash", .text).notNull()
                t.column("warnings", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.column("statusChangedAt", .datetime).notNull()
            }
            try db.create(table: "blobs") { t in
                t.primaryKey("sha256", .text)
                t.column("size", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "documents") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("application", inTable: "applications").notNull()
                t.column("slot", .text).notNull()
                t.column("blobSha256", .text).notNull().indexed().references("blobs")
                t.column("size", .integer).notNull()
                t.column("originalFilename", .text).notNull()
                t.column("detectedType", .text).notNull()
                t.column("mimeType", .text).notNull()
                t.column("uploadedAt", .datetime).notNull()
                t.column("supersededAt", .datetime)
            }
            // One current document per slot.
            try db.execute(
                sql: """
                    CREATE UNIQUE INDEX documents_current_slot ON documents(applicationId, slot)
                    WHERE supersededAt IS NULL
                    """)
            try db.create(table: "reviewers") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("tokenHash", .text).notNull().unique()
                t.column("createdAt", .datetime).notNull()
                t.column("revokedAt", .datetime)
            }
            try db.create(table: "audit_log") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("applicationId", .text).indexed()
                t.column("at", .datetime).notNull()
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull()
                t.column("fromStatus", .text)
                t.column("toStatus", .text)
                t.column("reason", .text)
                t.column("detail", .text)
            }
            try db.execute(
                sql: """
                    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                    """)
            try db.create(table: "outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("applicationId", .text).notNull().indexed()
                t.column("kind", .text).notNull()
                t.column("eventKey", .text).notNull().unique()
                t.column("recipient", .text).notNull()
                t.column("payload", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("attempts", .integer).notNull()
                t.column("nextAttemptAt", .datetime).notNull()
                t.column("sentAt", .datetime)
                t.column("lastError", .text)
            }
        }
        // Retention (issue 6): legal holds, deletion records, and the runs of maintenance jobs.
        migrator.registerMigration("v2") { db in
            // One row per standing hold; its history (who set and cleared it, why) is in the audit log.
            try db.create(table: "legal_holds") { t in
                t.primaryKey("applicationId", .text).references("applications")
                t.column("reason", .text).notNull()
                t.column("setAt", .datetime).notNull()
                t.column("setBy", .text).notNull()
            }
            try db.create(table: "deletion_records") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("applicationId", .text).notNull().indexed().references("applications")
                // No foreign key: the document row is gone, which is the point of the record.
                t.column("documentId", .integer).notNull()
                t.column("slot", .text).notNull()
                t.column("sha256", .text).notNull().indexed()
                t.column("size", .integer).notNull()
                t.column("detectedType", .text).notNull()
                t.column("uploadedAt", .datetime).notNull()
                t.column("wasSuperseded", .boolean).notNull()
                t.column("deletedAt", .datetime).notNull()
                t.column("rule", .text).notNull()
                t.column("actor", .text).notNull()
                t.column("operatorUser", .text).notNull()
            }
            try db.execute(
                sql: """
                    CREATE TRIGGER deletion_records_no_update BEFORE UPDATE ON deletion_records
                    BEGIN SELECT RAISE(ABORT, 'deletion_records is append-only'); END;
                    CREATE TRIGGER deletion_records_no_delete BEFORE DELETE ON deletion_records
                    BEGIN SELECT RAISE(ABORT, 'deletion_records is append-only'); END;
                    """)
            try db.create(table: "job_runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("job", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("finishedAt", .datetime).notNull()
                t.column("outcome", .text).notNull()
                t.column("summary", .text).notNull()
                t.column("actor", .text).notNull()
            }
            try db.create(index: "job_runs_job", on: "job_runs", columns: ["job", "id"])
        }
        // Notice delivery (issue 9): the deliverer polls for due, undelivered notices every second.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: "CREATE INDEX outbox_due ON outbox(nextAttemptAt) WHERE sentAt IS NULL")
        }
        // Rescanning stored documents (issue 22): quarantine, and one rescan at a time across servers.
        migrator.registerMigration("v4") { db in
            try db.alter(table: "documents") { t in t.add(column: "quarantinedAt", .datetime) }
            try db.create(table: "job_leases") { t in
                t.primaryKey("job", .text)
                t.column("holder", .text).notNull()
                t.column("expiresAt", .datetime).notNull()
            }
        }
        // Scale-out (issue 18): an upload reserves its blobs before placing them, since with a shared
        // database or object store the placement cannot sit inside the transaction (docs/scale-out.md).
        migrator.registerMigration("v5") { db in
            try db.create(table: "blob_reservations") { t in
                t.column("reservationId", .text).notNull()
                t.column("sha256", .text).notNull().references("blobs", onDelete: .cascade)
                t.column("expiresAt", .datetime).notNull()
                t.primaryKey(["reservationId", "sha256"])
            }
            try db.create(index: "blob_reservations_sha256", on: "blob_reservations", columns: ["sha256", "expiresAt"])
        }
        // Integrity (issue 19): a blob a read found corrupt is refused by every server before any
        // byte. No foreign key: a blob written before v5 may have no row.
        migrator.registerMigration("v6") { db in
            try db.create(table: "blob_corruption") { t in
                t.primaryKey("sha256", .text)
                t.column("detectedAt", .datetime).notNull()
            }
        }
        // Resumable uploads (issue 21): one row per session, its offset moved only over fsynced
        // bytes, its lease letting one request append at a time.
        migrator.registerMigration("v7") { db in
            try db.create(table: "upload_sessions") { t in
                t.primaryKey("idHash", .text)
                t.column("slot", .text).notNull()
                t.column("length", .integer).notNull()
                t.column("offset", .integer).notNull()
                t.column("filename", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.column("state", .text).notNull()
                t.column("detectedType", .text)
                t.column("sha256", .text)
                t.column("refusalCode", .text)
                t.column("refusalMessage", .text)
                t.column("refusalMessageEn", .text)
                t.column("leaseHolder", .text)
                t.column("leaseExpiresAt", .datetime)
            }
            try db.create(index: "upload_sessions_expiry", on: "upload_sessions", columns: ["expiresAt"])
        }
        // Resumable uploads any server can continue: the runs of bytes each request left in the
        // bucket, in order, as JSON (`[UploadSegment]`), written with the offset they back.
        migrator.registerMigration("v8") { db in
            try db.alter(table: "upload_sessions") { t in
                t.add(column: "segments", .text).notNull().defaults(to: "[]")
            }
        }
        return migrator
    }
}
