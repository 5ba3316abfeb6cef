import DocIntakeAPI
import Foundation
import PostgresNIO

extension PostgresMetadataStore: UploadSessionStore {
    static let uploadColumns = """
        id_hash, slot, length, "offset", filename, created_at, expires_at, state, detected_type, sha256, refusal_code,
        refusal_message, refusal_message_en, lease_holder, lease_expires_at, segments
        """

    public func insertUpload(_ upload: UploadSessionRecord) async throws {
        let segments = try upload.segmentsJSON
        _ = try await rows(
            """
            INSERT INTO upload_sessions (\(unescaped: Self.uploadColumns)) VALUES (
                \(upload.idHash), \(upload.slot.rawValue), \(upload.length), \(upload.offset), \(upload.filename),
                \(stored: upload.createdAt), \(stored: upload.expiresAt), \(upload.state.rawValue), \(upload.detectedType),
                \(upload.sha256), \(upload.refusalCode), \(upload.refusalMessage), \(upload.refusalMessageEn),
                \(upload.leaseHolder), \(stored: upload.leaseExpiresAt), \(segments))
            """)
    }

    public func upload(idHash: String) async throws -> UploadSessionRecord? {
        try await rows("SELECT \(unescaped: Self.uploadColumns) FROM upload_sessions WHERE id_hash = \(idHash)")
            .first.map(UploadSessionRecord.init)
    }

    public func leaseUpload(idHash: String, holder: String, now: Date, until: Date) async throws -> UploadSessionRecord? {
        try await transaction { connection in
            let locked = try await connection.rows(
                "SELECT \(unescaped: Self.uploadColumns) FROM upload_sessions WHERE id_hash = \(idHash) FOR UPDATE", logger: self.logger)
            guard var upload = try locked.first.map(UploadSessionRecord.init) else { throw MetadataStoreError.notFound }
            if upload.isLeased(againstHolder: holder, at: now) { return nil }
            upload.leaseHolder = holder
            upload.leaseExpiresAt = until
            try await connection.run(
                """
                UPDATE upload_sessions SET lease_holder = \(holder), lease_expires_at = \(stored: until) WHERE id_hash = \(idHash)
                """, logger: self.logger)
            return upload
        }
    }

    public func updateUpload(_ upload: UploadSessionRecord, holder: String, releasingLease: Bool) async throws -> Bool {
        // The holder check and the write are one statement: a takeover in between cannot slip through.
        let leaseHolder: String? = releasingLease ? nil : holder
        let segments = try upload.segmentsJSON
        return try await !rows(
            """
            UPDATE upload_sessions SET "offset" = \(upload.offset), state = \(upload.state.rawValue),
                detected_type = \(upload.detectedType), sha256 = \(upload.sha256), refusal_code = \(upload.refusalCode),
                refusal_message = \(upload.refusalMessage), refusal_message_en = \(upload.refusalMessageEn),
                expires_at = \(stored: upload.expiresAt), lease_holder = \(leaseHolder), segments = \(segments),
                lease_expires_at = CASE WHEN \(releasingLease) THEN NULL ELSE lease_expires_at END
            WHERE id_hash = \(upload.idHash) AND lease_holder = \(holder)
            RETURNING id_hash
            """
        ).isEmpty
    }

    public func useUpload(idHash: String, slot: DocumentSlot, now: Date) async throws -> UploadSessionRecord? {
        try await transaction { connection in
            let locked = try await connection.rows(
                "SELECT \(unescaped: Self.uploadColumns) FROM upload_sessions WHERE id_hash = \(idHash) FOR UPDATE", logger: self.logger)
            guard let upload = try locked.first.map(UploadSessionRecord.init), upload.state == .accepted, upload.slot == slot,
                upload.expiresAt > now, !upload.isLeased(againstHolder: "", at: now)
            else { return nil }
            try await connection.run(
                "UPDATE upload_sessions SET state = \(UploadSessionRecord.State.used.rawValue) WHERE id_hash = \(idHash)", logger: self.logger)
            return upload
        }
    }

    public func restoreUpload(idHash: String) async throws -> Bool {
        try await !rows(
            """
            UPDATE upload_sessions SET state = \(UploadSessionRecord.State.accepted.rawValue)
            WHERE id_hash = \(idHash) AND state = \(UploadSessionRecord.State.used.rawValue) RETURNING id_hash
            """
        ).isEmpty
    }

    public func deleteUpload(idHash: String) async throws -> Bool {
        try await !rows("DELETE FROM upload_sessions WHERE id_hash = \(idHash) RETURNING id_hash").isEmpty
    }

    public func expiredUploads(now: Date) async throws -> [UploadSessionRecord] {
        try await rows(
            """
            SELECT \(unescaped: Self.uploadColumns) FROM upload_sessions WHERE expires_at <= \(stored: now) ORDER BY expires_at, id_hash
            """
        ).map(UploadSessionRecord.init)
    }
}

extension UploadSessionRecord {
    init(_ row: PostgresRow) throws {
        let c = ColumnReader(row)
        let state: State = try c.value("state")
        self.init(
            idHash: try c["id_hash"], slot: try c.value("slot"), length: try c["length"], filename: try c["filename"],
            createdAt: try c.date("created_at"), expiresAt: try c.date("expires_at"))
        offset = try c["offset"]
        self.state = state
        detectedType = try c["detected_type"]
        sha256 = try c["sha256"]
        refusalCode = try c["refusal_code"]
        refusalMessage = try c["refusal_message"]
        refusalMessageEn = try c["refusal_message_en"]
        leaseHolder = try c["lease_holder"]
        leaseExpiresAt = try c.optionalDate("lease_expires_at")
        let segments: String = try c["segments"]
        self.segments = try JSONDecoder().decode([UploadSegment].self, from: Data(segments.utf8))
    }

    /// `segments` as the column holds them (the JSON GRDB writes for the SQLite store).
    var segmentsJSON: String {
        get throws { String(decoding: try JSONEncoder().encode(segments), as: UTF8.self) }
    }
}
