import Foundation

/// The storage rule, on the write side: a blob is placed only together with the rows that
/// reference it, and (with `BlobCollector`) removed only when unreferenced.
///
/// No store can place a blob inside a database transaction once the database and the blobs live
/// on other machines, so an upload reserves its blobs first (a row lock and an expiry, in a short
/// transaction), then places the bytes, then commits its rows, which drop the reservation in the
/// same transaction. A collector never takes a reserved blob. docs/scale-out.md states the invariant.
public struct BlobPlacement: Sendable {
    /// Where the bytes go.
    public let blobs: any BlobStore
    /// Where the reservation and the rows go.
    public let metadata: any MetadataStore
    /// How long a reservation protects blobs whose upload has not committed: longer than the slowest
    /// placement and commit, short enough that a crashed server's claim does not keep garbage long.
    public let reservationLifetime: TimeInterval

    /// A placement over these stores.
    public init(blobs: any BlobStore, metadata: any MetadataStore, reservationLifetime: TimeInterval = 3600) {
        self.blobs = blobs
        self.metadata = metadata
        self.reservationLifetime = reservationLifetime
    }

    /// Reserves and places `sealed`, then runs `commit`, which must commit the referencing rows
    /// releasing the reservation it is given. When placing or committing fails, the reservation is
    /// dropped and the blobs this call created are removed unless something references or
    /// reserves them by then (another upload of the same bytes keeps its blob); a removal that
    /// fails leaves an orphan for the collector's grace period. Rethrows the failure.
    ///
    /// A placement writes the new, just-verified bytes even where the blob exists, so it heals a
    /// blob marked corrupt, and its mark goes once the rows are committed.
    public func place<T: Sendable>(
        _ sealed: [SealedBlob], at now: Date, commit: (BlobReservation) async throws -> T
    ) async throws -> T {
        let reservation = BlobReservation(expiresAt: now.addingTimeInterval(reservationLifetime))
        // An application without documents (most institution kinds) has nothing to reserve.
        guard !sealed.isEmpty else { return try await commit(reservation) }
        do {
            try await metadata.reserveBlobs(
                sealed.map { BlobRecord(sha256: $0.digest.hex, size: $0.size, createdAt: now) }, reservation: reservation)
        } catch {
            for blob in sealed { blob.discard() }
            throw error
        }
        var created: [BlobDigest] = []
        do {
            for (index, blob) in sealed.enumerated() {
                do {
                    if try await blobs.place(blob) { created.append(blob.digest) }
                } catch {
                    for unplaced in sealed[(index + 1)...] { unplaced.discard() }
                    throw error
                }
            }
            let committed = try await commit(reservation)
            // Committed: a failure here leaves a mark that the next scrub clears, never a failed upload.
            let marked = Set((try? await metadata.corruptBlobs())?.map(\.sha256) ?? [])
            for blob in sealed where marked.contains(blob.digest.hex) {
                try? await metadata.clearBlobCorruption(sha256: blob.digest.hex)
            }
            return committed
        } catch {
            try? await metadata.releaseBlobReservation(reservation)
            let blobs = blobs
            for digest in created {
                _ = try? await metadata.collectBlob(sha256: digest.hex, createdAtOrBefore: .distantFuture, now: now) { _ in
                    try await blobs.remove(digest)
                    return true
                }
            }
            throw error
        }
    }
}
