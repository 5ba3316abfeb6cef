import Foundation
import S3

/// Blobs as objects in an S3-compatible bucket, under `<prefix>sha256/ab/cd/<64 hex>` as in the
/// directory store, staged in the server's local temp directory as every upload is.
///
/// The write path: while an upload arrives, its staging file is sent on in parts of a multipart
/// upload to `<prefix>staging/<ms>-<uuid>` (`S3StagingUpload`), so that after the last byte only the
/// last part, the completion and a server-side copy to the content address remain. An upload
/// smaller than one part is sent after its last byte with one PutObject to its address. Each
/// request carries the bytes' SHA-256 (signed, and as `x-amz-checksum-sha256`), so a real S3
/// verifies what it stores; every read is verified here again.
public struct S3BlobStore: BlobStore {
    /// The bucket's client (the store does not shut it down).
    public let client: S3Client
    /// Ends with "/" unless empty.
    public let prefix: String
    /// Parts of this size are sent while an upload still arrives (S3's minimum is 5 MiB).
    public let partSize: Int64
    /// The local temp directory, `<data>/tmp`.
    let local: FileBlobStore

    /// A store in `client`'s bucket under `prefix`, staging in `<dataDirectory>/tmp`.
    public init(client: S3Client, prefix: String, dataDirectory: String, partSize: Int64 = 8 << 20) throws {
        precondition(partSize >= 5 << 20, "S3 refuses parts under 5 MiB but the last")
        self.client = client
        self.prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        self.partSize = partSize
        self.local = try FileBlobStore(root: dataDirectory)
    }

    /// Closes the client's connections; the store is unusable afterwards.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// The object a blob lives in.
    public func key(of digest: BlobDigest) -> String {
        let hex = digest.hex
        return "\(prefix)sha256/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex)"
    }

    var stagingPrefix: String { prefix + "staging/" }

    /// `<prefix>staging/<ms since 1970>-<uuid>`: the sweep reads an upload's age from its key, since
    /// not every S3-compatible server reports when a multipart upload began (moto reports 2010).
    func stagingKey(createdAt date: Date) -> String {
        "\(stagingPrefix)\(Int64(date.timeIntervalSince1970 * 1000))-\(UUID().uuidString.lowercased())"
    }

    /// When the staging object or upload `key` was started, from its key; nil for a key not made by `stagingKey`.
    func stagingStart(of key: String) -> Date? {
        guard key.hasPrefix(stagingPrefix), let dash = key.dropFirst(stagingPrefix.count).firstIndex(of: "-"),
            let milliseconds = Int64(key[key.index(key.startIndex, offsetBy: stagingPrefix.count)..<dash])
        else { return nil }
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    public func stage() throws -> StagedBlob {
        let (client, key, partSize) = (client, stagingKey(createdAt: Date()), partSize)
        return try StagedBlob(directory: local.stagingDirectory) { path in
            S3StagingUpload(client: client, key: key, file: path, partSize: partSize)
        }
    }

    /// Sends the sealed upload to its address, unless an intact copy is there already: one whose
    /// size and S3-verified SHA-256 are the digest's. Any other copy is overwritten, which heals a
    /// damaged or tampered object.
    @discardableResult
    public func place(_ sealed: SealedBlob) async throws -> Bool {
        let key = key(of: sealed.digest)
        let upload = sealed.tee as? S3StagingUpload
        do {
            let existing = try await client.headObject(key: key)
            if let existing, existing.size == sealed.size, existing.checksumSHA256 == Data(sealed.digest.bytes).base64EncodedString() {
                sealed.discard()
                return false
            }
            if let upload, let staged = try await upload.complete(size: sealed.size) {
                let copied = try await client.copyObject(from: staged, to: key)
                // The copy's SHA-256 is computed by the store over the whole object (moto too, which
                // checks no part): the bytes at the content address are checked, not only each part.
                if let reported = copied.checksumSHA256, reported != Data(sealed.digest.bytes).base64EncodedString() {
                    throw BlobStoreError.corrupt(sealed.digest)
                }
                // Not awaited: the 201 need not wait for it, and one left behind is swept with the rest.
                let client = client
                Task { try? await client.deleteObject(key: staged) }
            } else {
                upload?.abandon()
                try await client.putObject(key: key, payload: try Self.payload(of: sealed))
            }
            _ = try sealed.consume { try POSIX.unlinkIfPresent($0) }
            return existing == nil
        } catch {
            sealed.discard()
            throw Self.mapped(error, digest: sealed.digest)
        }
    }

    public func contains(_ digest: BlobDigest) async throws -> Bool {
        try await file(digest) != nil
    }

    public func open(_ digest: BlobDigest) async throws -> any BlobReader {
        do {
            return S3BlobReader(object: try await client.getObject(key: key(of: digest)), digest: digest)
        } catch {
            throw Self.mapped(error, digest: digest)
        }
    }

    public func remove(_ digest: BlobDigest) async throws {
        do {
            try await client.deleteObject(key: key(of: digest))
        } catch {
            throw Self.mapped(error, digest: digest)
        }
    }

    public func list() async throws -> [StoredBlobFile] {
        do {
            return try await client.listAllObjects(prefix: prefix + "sha256/").compactMap { object in
                guard let name = object.key.split(separator: "/").last, let digest = BlobDigest(hex: String(name)),
                    object.key == key(of: digest)
                else { return nil }
                return StoredBlobFile(digest: digest, size: object.size, modifiedAt: object.lastModified?.timeIntervalSince1970 ?? 0)
            }
        } catch {
            throw Self.mapped(error, digest: nil)
        }
    }

    public func file(_ digest: BlobDigest) async throws -> StoredBlobFile? {
        do {
            guard let info = try await client.headObject(key: key(of: digest)) else { return nil }
            return StoredBlobFile(digest: digest, size: info.size, modifiedAt: info.lastModified?.timeIntervalSince1970 ?? 0)
        } catch {
            throw Self.mapped(error, digest: digest)
        }
    }

    @discardableResult
    public func sweepStaging(olderThan age: Double) throws -> [String] {
        try local.sweepStaging(olderThan: age)
    }

    public func staleStagingFiles(olderThan age: Double) throws -> [String] {
        try local.staleStagingFiles(olderThan: age)
    }

    @discardableResult
    public func sweepRemoteStaging(olderThan age: Double) async throws -> [String] {
        let (objects, uploads) = try await staleRemote(olderThan: age)
        do {
            for object in objects { try await client.deleteObject(key: object) }
            for upload in uploads { try await client.abortMultipartUpload(key: upload.key, uploadId: upload.uploadId) }
        } catch {
            throw Self.mapped(error, digest: nil)
        }
        return objects + uploads.map { "\($0.key) (multipart upload)" }
    }

    public func staleRemoteStaging(olderThan age: Double) async throws -> [String] {
        let (objects, uploads) = try await staleRemote(olderThan: age)
        return objects + uploads.map { "\($0.key) (multipart upload)" }
    }

    private func staleRemote(olderThan age: Double) async throws -> ([String], [S3MultipartUpload]) {
        let cutoff = Date().addingTimeInterval(-age)
        do {
            let objects = try await client.listAllObjects(prefix: stagingPrefix).filter {
                (stagingStart(of: $0.key) ?? $0.lastModified ?? .distantPast) <= cutoff
            }
            var uploads: [S3MultipartUpload] = []
            var marker: (keyMarker: String, uploadIdMarker: String)?
            repeat {
                let page = try await client.listMultipartUploads(
                    prefix: stagingPrefix, keyMarker: marker?.keyMarker, uploadIdMarker: marker?.uploadIdMarker)
                uploads += page.uploads.filter { (stagingStart(of: $0.key) ?? $0.initiated ?? .distantPast) <= cutoff }
                marker = page.next
            } while marker != nil
            return (objects.map(\.key), uploads)
        } catch {
            throw Self.mapped(error, digest: nil)
        }
    }

    public func ping() async throws {
        do {
            try await client.headBucket()
        } catch {
            throw Self.mapped(error, digest: nil)
        }
    }

    /// The sealed file as a PutObject body, read again for a retry.
    static func payload(of sealed: SealedBlob) throws -> S3Payload {
        let path = sealed.path
        return S3Payload.stream(length: sealed.size, sha256: sealed.digest.bytes, replayable: true) {
            FileRegion(path: path, offset: 0, length: sealed.size)
        }
    }

    /// The store's errors as the service knows them: a store that cannot be reached (after the
    /// client's retries) is `.unavailable`, a missing object `.notFound`.
    static func mapped(_ error: any Error, digest: BlobDigest?) -> any Error {
        guard let error = error as? S3Error else { return error }
        if error.isNotFound, let digest { return BlobStoreError.notFound(digest) }
        if error.isUnavailable { return BlobStoreError.unavailable(error.description) }
        return error
    }
}
