import Foundation
import PostgresNIO

/// Reservation against collection, across servers: both sides take a transaction-scoped advisory
/// lock on the blob's digest (an upload's shared, the collector's exclusive) before they look at
/// the blob's row. So a reservation waits for a collection of that blob in progress and then
/// creates the row afresh if it went, and a collection waits for a reservation in progress and then
/// sees it. The lock also covers a digest that has no row yet (an orphaned file), which a row
/// lock could not. The collector additionally holds the row `FOR UPDATE`, which the foreign keys of
/// document and reservation inserts (`FOR KEY SHARE`) wait for.
extension PostgresMetadataStore: BlobLedger {
    /// The first key of the two-key advisory locks on digests (the second is the digest's hash);
    /// apart from the migration lock's single-key space.
    static let blobLockSpace: Int32 = 0x0B10B

    public func storedBlobBytes() async throws -> Int64 {
        try await rows("SELECT COALESCE(SUM(size), 0)::bigint FROM blobs")[0].decode(Int64.self)
    }

    public func blobUsage() async throws -> [BlobUsage] {
        try await rows(
            """
            SELECT sha256, size, created_at, (SELECT COUNT(*) FROM documents WHERE documents.blob_sha256 = blobs.sha256) AS refs
            FROM blobs ORDER BY sha256 COLLATE "C"
            """
        ).map { row in BlobUsage(blob: try BlobRecord(row), references: try row.makeRandomAccess()["refs"].decode(Int.self)) }
    }

    public func reserveBlobs(_ blobs: [BlobRecord], reservation: BlobReservation) async throws {
        // In digest order, so that two uploads sharing blobs take their locks in the same order.
        let blobs = Dictionary(blobs.map { ($0.sha256, $0) }, uniquingKeysWith: { first, _ in first }).values
            .sorted { $0.sha256 < $1.sha256 }
        guard !blobs.isEmpty else { return }
        try await transaction { connection in
            for blob in blobs {
                try await connection.run(
                    "SELECT pg_advisory_xact_lock_shared(\(Self.blobLockSpace), hashtext(\(blob.sha256)))", logger: self.logger)
                try await connection.run(
                    """
                    INSERT INTO blobs (sha256, size, created_at) VALUES (\(blob.sha256), \(blob.size), \(stored: blob.createdAt))
                    ON CONFLICT (sha256) DO NOTHING
                    """, logger: self.logger)
                try await connection.run(
                    """
                    INSERT INTO blob_reservations (reservation_id, sha256, expires_at)
                    VALUES (\(reservation.id), \(blob.sha256), \(stored: reservation.expiresAt))
                    ON CONFLICT (reservation_id, sha256) DO UPDATE SET expires_at = EXCLUDED.expires_at
                    """, logger: self.logger)
            }
        }
    }

    public func releaseBlobReservation(_ reservation: BlobReservation) async throws {
        try await withConnection { connection in try await self.release(reservation, on: connection) }
    }

    public func collectBlob(
        sha256: String, createdAtOrBefore cutoff: Date, now: Date, removingFile: @escaping @Sendable (BlobRecord?) async throws -> Bool
    ) async throws -> Bool {
        try await transaction { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(Self.blobLockSpace), hashtext(\(sha256)))", logger: self.logger)
            let row = try await connection.rows(
                "SELECT sha256, size, created_at FROM blobs WHERE sha256 = \(sha256) FOR UPDATE", logger: self.logger
            ).first.map(BlobRecord.init)
            let references = try await connection.rows(
                "SELECT COUNT(*) FROM documents WHERE blob_sha256 = \(sha256)", logger: self.logger)[0].decode(Int64.self)
            guard references == 0 else { return false }
            if let row {
                guard row.createdAt <= cutoff else { return false }
                let live = try await connection.rows(
                    "SELECT 1 FROM blob_reservations WHERE sha256 = \(sha256) AND expires_at > \(stored: now) LIMIT 1", logger: self.logger)
                guard live.isEmpty else { return false }
            }
            // The file goes while this transaction holds the locks, before the row: an upload cannot
            // reserve the blob in between, and a crash before COMMIT leaves an unreferenced row
            // without a file, which the next run deletes (its expired reservations go with it).
            guard try await removingFile(row) else { return false }
            if row != nil { try await connection.run("DELETE FROM blobs WHERE sha256 = \(sha256)", logger: self.logger) }
            try await connection.run("DELETE FROM blob_corruption WHERE sha256 = \(sha256)", logger: self.logger)
            return true
        }
    }

    public func markBlobCorrupt(sha256: String, at: Date) async throws {
        _ = try await rows(
            "INSERT INTO blob_corruption (sha256, detected_at) VALUES (\(sha256), \(stored: at)) ON CONFLICT (sha256) DO NOTHING")
    }

    public func blobCorruption(sha256: String) async throws -> Date? {
        try await rows("SELECT detected_at FROM blob_corruption WHERE sha256 = \(sha256)").first.map { try ColumnReader($0).date("detected_at") }
    }

    public func corruptBlobs() async throws -> [CorruptBlobMark] {
        try await rows("SELECT sha256, detected_at FROM blob_corruption ORDER BY sha256 COLLATE \"C\"").map { row in
            let c = ColumnReader(row)
            return CorruptBlobMark(sha256: try c["sha256"], detectedAt: try c.date("detected_at"))
        }
    }

    public func clearBlobCorruption(sha256: String) async throws {
        _ = try await rows("DELETE FROM blob_corruption WHERE sha256 = \(sha256)")
    }

    /// Drops `reservation`'s rows, inside the caller's transaction.
    func release(_ reservation: BlobReservation, on connection: PostgresConnection) async throws {
        try await connection.run("DELETE FROM blob_reservations WHERE reservation_id = \(reservation.id)", logger: logger)
    }
}
