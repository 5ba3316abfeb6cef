import Foundation
import Storage

extension IntakeService {
    /// Places an upload's blobs inside its metadata transaction (`place` is that transaction's
    /// last step) and, when the transaction then fails — a full disk at the second rename, or
    /// SQLITE_FULL at COMMIT — removes the blobs this placement created, so that a refused upload
    /// leaves no file behind. Rethrows the transaction's error.
    ///
    /// Only blobs that did not exist before are removed, and only under the write lock after
    /// checking that no row refers to them: another upload of the same bytes that committed in
    /// between keeps its blob. A removal that fails leaves an orphan file for retention's
    /// grace-period collection, which is still correct.
    static func placingInTransaction(
        _ documents: [SealedBlob], blobs: any BlobStore, metadata: any MetadataStore,
        _ transaction: (_ placeBlobs: () throws -> Void) throws -> Void
    ) throws {
        var created: [BlobDigest] = []
        do {
            try transaction {
                for blob in documents {
                    if try blobs.place(blob) { created.append(blob.digest) }
                }
            }
        } catch {
            for digest in created {
                _ = try? metadata.collectBlob(sha256: digest.hex, createdAtOrBefore: .distantPast) { row in
                    guard row == nil else { return false }
                    try blobs.remove(digest)
                    return true
                }
            }
            throw error
        }
    }
}
