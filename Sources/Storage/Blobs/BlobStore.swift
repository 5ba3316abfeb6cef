/// Where document bytes live, named by their SHA-256.
///
/// The embedded default is `FileBlobStore`; an S3-compatible store can implement the same
/// protocol. Every read verifies the hash; a blob is never modified once placed. Staging is local
/// to each server whatever the store: an upload streams into a temp file as it arrives.
public protocol BlobStore: Sendable {
    /// Starts a new upload in a local temp file.
    func stage() throws -> StagedBlob

    /// Makes a sealed temp file the blob of its digest. Where that blob already exists (dedupe), the
    /// stored bytes end up being the sealed ones, which were just hashed: a placement heals a damaged
    /// copy. Returns whether a new blob was created. The temp file is gone afterwards, and a
    /// placement that throws leaves no new blob behind.
    @discardableResult
    func place(_ sealed: SealedBlob) async throws -> Bool

    /// Whether a blob with this digest is stored.
    func contains(_ digest: BlobDigest) async throws -> Bool

    /// Opens a blob for reading; the reader checks the hash as it goes.
    func open(_ digest: BlobDigest) async throws -> any BlobReader

    /// Deletes a blob. The caller decides that nothing references it any more.
    func remove(_ digest: BlobDigest) async throws

    /// Every stored blob, for scrub and garbage collection.
    func list() async throws -> [StoredBlobFile]

    /// One stored blob's size and age without reading it, or nil when it is not stored.
    func file(_ digest: BlobDigest) async throws -> StoredBlobFile?

    /// Deletes local temp files of uploads that were abandoned longer ago than `age` seconds
    /// (e.g. by a crash). Returns the paths removed.
    @discardableResult
    func sweepStaging(olderThan age: Double) throws -> [String]

    /// The temp files `sweepStaging(olderThan:)` would delete now, left in place (for a dry run).
    func staleStagingFiles(olderThan age: Double) throws -> [String]

    /// Removes what uploads abandoned longer ago than `age` seconds left in the store itself (S3:
    /// staging objects and unfinished multipart uploads), which any server may sweep; returns their
    /// names. Never run with a small `age`: another server's upload may be in flight.
    @discardableResult
    func sweepRemoteStaging(olderThan age: Double) async throws -> [String]

    /// What `sweepRemoteStaging(olderThan:)` would remove now, left in place (for a dry run).
    func staleRemoteStaging(olderThan age: Double) async throws -> [String]

    /// Throws `BlobStoreError.unavailable` when the store cannot be used now (readiness).
    func ping() async throws
}

extension BlobStore {
    /// A store whose uploads live only in local temp files leaves nothing elsewhere.
    public func sweepRemoteStaging(olderThan age: Double) async throws -> [String] { [] }

    public func staleRemoteStaging(olderThan age: Double) async throws -> [String] { [] }

    public func ping() async throws {}
}

/// A stored blob as the store sees it, without reading it.
public struct StoredBlobFile: Sendable, Equatable {
    public let digest: BlobDigest
    public let size: Int64
    /// Seconds since 1970 when the file was last modified (placed).
    public let modifiedAt: Double
}

/// Reads a blob in chunks and refuses to hand out its last chunk unless the whole blob
/// hashed to its name, so that a consumer never completes with corrupt bytes.
///
/// One consumer reads it at a time; it is `Sendable` so that its reads can run off the
/// cooperative pool.
public protocol BlobReader: AnyObject, Sendable {
    /// The blob's size in bytes, as stored.
    var size: Int64 { get }
    /// The next chunk, or nil at the end. Throws `BlobStoreError.corrupt` instead of the last
    /// chunk when the bytes do not match the digest.
    func next() async throws -> [UInt8]?
    /// Reads and hashes the next `count` bytes without returning them, so that a ranged read
    /// (a resumed download) still verifies the whole blob.
    func skip(_ count: Int64) async throws
    /// Releases the file early; it is also released when the reader is dropped.
    func close()
}
