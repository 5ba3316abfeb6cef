import Foundation
import GRDB

extension SQLiteMetadataStore {
    public func storedBlobBytes() async throws -> Int64 {
        try await pool.read { db in try BlobRecord.select(sum(BlobRecord.Columns.size), as: Int64.self).fetchOne(db) ?? 0 }
    }

    public func blobUsage() async throws -> [BlobUsage] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT blobs.sha256, blobs.size, blobs.createdAt,
                           (SELECT COUNT(*) FROM documents WHERE documents.blobSha256 = blobs.sha256) AS refs
                    FROM blobs ORDER BY blobs.sha256
                    """
            ).map { row in
                BlobUsage(
                    blob: BlobRecord(sha256: row["sha256"], size: row["size"], createdAt: row["createdAt"]),
                    references: row["refs"])
            }
        }
    }

    public func reserveBlobs(_ blobs: [BlobRecord], reservation: BlobReservation) async throws {
        // IMMEDIATE, like collection: a collector that holds the write lock finishes (file and row
        // gone) before the reservation makes the row anew.
        try await writeImmediate { db in
            for blob in blobs {
                try blob.insert(db, onConflict: .ignore)
                try db.execute(
                    sql: "INSERT OR REPLACE INTO blob_reservations (reservationId, sha256, expiresAt) VALUES (?, ?, ?)",
                    arguments: [reservation.id, blob.sha256, reservation.expiresAt])
            }
        }
    }

    public func releaseBlobReservation(_ reservation: BlobReservation) async throws {
        try await writeImmediate { db in try Self.release(reservation, in: db) }
    }

    static func release(_ reservation: BlobReservation, in db: Database) throws {
        try db.execute(sql: "DELETE FROM blob_reservations WHERE reservationId = ?", arguments: [reservation.id])
    }

    /// The row of a document's blob, made by its reservation and kept here for the documents of
    /// older callers and of a reservation that expired.
    static func recordBlob(of document: DocumentRecord, in db: Database) throws {
        try BlobRecord(sha256: document.blobSha256, size: document.size, createdAt: document.uploadedAt).insert(db, onConflict: .ignore)
    }

    public func collectBlob(
        sha256: String, createdAtOrBefore cutoff: Date, now: Date, removingFile: @escaping @Sendable (BlobRecord?) async throws -> Bool
    ) async throws -> Bool {
        // The file goes while this transaction holds the write lock, before the row: no upload can
        // reserve the blob in between, and a crash before COMMIT leaves an unreferenced row without
        // a file, which the next run deletes. SQLite's transaction is synchronous, so the removal,
        // which is async for every store, is awaited from GRDB's writer thread (never a thread of
        // the cooperative pool, which the removal itself needs).
        try await writeImmediate { db in
            let references = try DocumentRecord.filter(DocumentRecord.Columns.blobSha256 == sha256).fetchCount(db)
            guard references == 0 else { return false }
            let reserved = try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM blob_reservations WHERE sha256 = ? AND expiresAt > ?)", arguments: [sha256, now])
            guard reserved == false else { return false }
            let row = try BlobRecord.fetchOne(db, key: sha256)
            if let row, row.createdAt > cutoff { return false }
            guard try AsyncBridge.wait({ try await removingFile(row) }) else { return false }
            if row != nil { _ = try BlobRecord.deleteOne(db, key: sha256) }
            try db.execute(sql: "DELETE FROM blob_corruption WHERE sha256 = ?", arguments: [sha256])
            return true
        }
    }

    public func markBlobCorrupt(sha256: String, at: Date) async throws {
        try await writeImmediate { db in
            try db.execute(sql: "INSERT OR IGNORE INTO blob_corruption (sha256, detectedAt) VALUES (?, ?)", arguments: [sha256, at])
        }
    }

    public func blobCorruption(sha256: String) async throws -> Date? {
        try await pool.read { db in try Date.fetchOne(db, sql: "SELECT detectedAt FROM blob_corruption WHERE sha256 = ?", arguments: [sha256]) }
    }

    public func corruptBlobs() async throws -> [CorruptBlobMark] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT sha256, detectedAt FROM blob_corruption ORDER BY sha256").map {
                CorruptBlobMark(sha256: $0["sha256"], detectedAt: $0["detectedAt"])
            }
        }
    }

    public func clearBlobCorruption(sha256: String) async throws {
        try await writeImmediate { db in try db.execute(sql: "DELETE FROM blob_corruption WHERE sha256 = ?", arguments: [sha256]) }
    }
}
