import Foundation
import NIOCore
import S3

/// Resumable uploads' segments as objects `<prefix>uploads/<id hash>/<offset>-<uuid>`, beside the
/// blobs in the same bucket. The uuid makes a late write by a request that lost its lease land on a
/// key no session lists, never on one that another request's offset stands on.
public struct S3UploadSegments: UploadSegmentStore {
    let client: S3Client
    let prefix: String

    /// The segments in `store`'s bucket, under its prefix.
    public init(store: S3BlobStore) {
        self.client = store.client
        self.prefix = store.prefix + "uploads/"
    }

    public func put(idHash: String, file path: String, offset: Int64, length: Int64) async throws -> UploadSegment {
        let region = FileRegion(path: path, offset: offset, length: length)
        let sha256 = try await region.sha256()
        let key = "\(prefix)\(idHash)/\(String(format: "%015lld", offset))-\(UUID().uuidString.lowercased())"
        do {
            try await client.putObject(key: key, payload: S3Payload.stream(length: length, sha256: sha256, replayable: true) { region })
        } catch {
            throw S3BlobStore.mapped(error, digest: nil)
        }
        return UploadSegment(offset: offset, length: length, sha256: sha256.map { String(format: "%02x", $0) }.joined(), key: key)
    }

    public func read(_ segment: UploadSegment, _ consume: (ByteBuffer) async throws -> Void) async throws {
        do {
            for try await buffer in try await client.getObject(key: segment.key).body { try await consume(buffer) }
        } catch {
            throw S3BlobStore.mapped(error, digest: nil)
        }
    }

    public func removeAll(idHash: String) async throws {
        do {
            for object in try await client.listAllObjects(prefix: "\(prefix)\(idHash)/") { try await client.deleteObject(key: object.key) }
        } catch {
            throw S3BlobStore.mapped(error, digest: nil)
        }
    }
}
