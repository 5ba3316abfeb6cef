import Foundation
import Synchronization

/// Blob garbage collection: finds blobs that no document row references and blob files that
/// have no row, older than a cutoff, and deletes them one at a time.
///
/// Each deletion happens inside `BlobLedger.collectBlob`, holding the blob row's lock, after
/// checking again there that nothing references the blob, that no upload has reserved it and that
/// it is old enough. An upload that dedupes onto a blob therefore cannot lose it: either its
/// reservation committed first and the collector leaves the blob, or the collection committed
/// first and the upload, finding no file, places its own bytes (`BlobPlacement`,
/// docs/scale-out.md).
public struct BlobCollector: Sendable {
    /// Where the files are.
    public let blobs: any BlobStore
    /// Where the rows are, and whose write lock serialises collection with uploads.
    public let metadata: any MetadataStore

    /// A collector over these stores.
    public init(blobs: any BlobStore, metadata: any MetadataStore) {
        self.blobs = blobs
        self.metadata = metadata
    }

    /// What a collection at `cutoff` would delete, counting the references listed in
    /// `releasing` (sha256 → document rows about to be deleted) as already gone, so that a dry
    /// run can predict the blobs its own document deletions would free. Changes nothing.
    public func plan(cutoff: Date, releasing: [String: Int] = [:]) async throws -> [BlobGarbage] {
        // Rows first, then files: a blob committed in between looks like a young orphan, and is
        // either skipped for its age or refused by `collect`'s re-check.
        let usage = try await metadata.blobUsage()
        let files = try await blobs.list()
        let filesByHex = Dictionary(files.map { ($0.digest.hex, $0) }, uniquingKeysWith: { first, _ in first })
        let limit = cutoff.timeIntervalSince1970
        var garbage: [BlobGarbage] = []
        var known = Set<String>()
        for entry in usage {
            known.insert(entry.blob.sha256)
            guard entry.references - releasing[entry.blob.sha256, default: 0] <= 0, entry.blob.createdAt <= cutoff else { continue }
            if let file = filesByHex[entry.blob.sha256] {
                if file.modifiedAt <= limit { garbage.append(BlobGarbage(sha256: entry.blob.sha256, size: file.size, kind: .unreferenced)) }
            } else {
                garbage.append(BlobGarbage(sha256: entry.blob.sha256, size: 0, kind: .rowWithoutFile))
            }
        }
        for file in files.sorted(by: { $0.digest.hex < $1.digest.hex })
        where !known.contains(file.digest.hex) && file.modifiedAt <= limit {
            garbage.append(BlobGarbage(sha256: file.digest.hex, size: file.size, kind: .orphanFile))
        }
        return garbage
    }

    /// Deletes one planned blob if it still qualifies at `cutoff` (and no upload holds a
    /// reservation on it at `now`). Returns the bytes freed, or nil when it no longer qualifies (an
    /// upload reserved or referenced it meanwhile, say).
    public func collect(_ garbage: BlobGarbage, cutoff: Date, now: Date = Date()) async throws -> Int64? {
        guard let digest = BlobDigest(hex: garbage.sha256) else { return nil }
        let freed = Mutex<Int64>(0)
        let blobs = blobs
        let collected = try await metadata.collectBlob(sha256: digest.hex, createdAtOrBefore: cutoff, now: now) { row in
            guard let file = try await blobs.file(digest) else { return row != nil }
            // The grace period holds for files too: a young file without a row is a rolled-back
            // or crashed upload's, and the upload may be retried with the same bytes.
            guard file.modifiedAt <= cutoff.timeIntervalSince1970 else { return false }
            try await blobs.remove(digest)
            freed.withLock { $0 = file.size }
            return true
        }
        return collected ? freed.withLock { $0 } : nil
    }
}
