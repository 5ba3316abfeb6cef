import Foundation

@testable import Storage

/// A blob store that runs a hook just before deleting a blob and just after placing one (told
/// whether the placement created the blob), so that a test can hold one side of the
/// GC-versus-upload race still at its critical point.
struct HookedBlobStore: BlobStore {
    let base: FileBlobStore
    var beforeRemove: @Sendable () async -> Void = {}
    var afterPlace: @Sendable (_ created: Bool) async -> Void = { _ in }

    func stage() throws -> StagedBlob { try base.stage() }
    func place(_ sealed: SealedBlob) async throws -> Bool {
        let created = try await base.place(sealed)
        await afterPlace(created)
        return created
    }
    func contains(_ digest: BlobDigest) async throws -> Bool { try await base.contains(digest) }
    func open(_ digest: BlobDigest) async throws -> any BlobReader { try await base.open(digest) }
    func remove(_ digest: BlobDigest) async throws {
        await beforeRemove()
        try await base.remove(digest)
    }
    func list() async throws -> [StoredBlobFile] { try await base.list() }
    func file(_ digest: BlobDigest) async throws -> StoredBlobFile? { try await base.file(digest) }
    func sweepStaging(olderThan age: Double) throws -> [String] { try base.sweepStaging(olderThan: age) }
    func staleStagingFiles(olderThan age: Double) throws -> [String] { try base.staleStagingFiles(olderThan: age) }
}
