import Foundation

@testable import Storage

/// A blob store that runs a hook just before deleting a blob and just after placing one, so
/// that a test can hold one side of the GC-versus-upload race still at its critical point.
struct HookedBlobStore: BlobStore {
    let base: FileBlobStore
    var beforeRemove: @Sendable () -> Void = {}
    var afterPlace: @Sendable () -> Void = {}

    func stage() throws -> StagedBlob { try base.stage() }
    func place(_ sealed: SealedBlob) throws -> Bool {
        let created = try base.place(sealed)
        afterPlace()
        return created
    }
    func contains(_ digest: BlobDigest) throws -> Bool { try base.contains(digest) }
    func open(_ digest: BlobDigest) throws -> any BlobReader { try base.open(digest) }
    func remove(_ digest: BlobDigest) throws {
        beforeRemove()
        try base.remove(digest)
    }
    func list() throws -> [StoredBlobFile] { try base.list() }
    func file(_ digest: BlobDigest) throws -> StoredBlobFile? { try base.file(digest) }
    func sweepStaging(olderThan age: Double) throws -> [String] { try base.sweepStaging(olderThan: age) }
    func staleStagingFiles(olderThan age: Double) throws -> [String] { try base.staleStagingFiles(olderThan: age) }
}
