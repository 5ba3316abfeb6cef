import Crypto
import Foundation
import S3
import S3TestSupport
import Testing

@testable import Storage

/// moto checks no part's checksum, so the store checks the whole: the SHA-256 S3 reports for the
/// copy to the content address must be the blob's name.
@Suite struct S3PlacementCheckTests {
    /// Sends `bytes` as a staged multipart upload and places it as `digest`.
    static func place(_ bytes: [UInt8], as digest: BlobDigest) async throws -> (placed: Result<Bool, any Error>, stored: [UInt8]?) {
        let directory = try TemporaryDirectory()
        let client = S3Client(configuration: try await MotoServer.shared().freshBucket())
        defer { Task { try? await client.shutdown() } }
        let store = try S3BlobStore(client: client, prefix: "docintake", dataDirectory: directory.path, partSize: 5 << 20)
        let path = directory.path + "/upload"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let upload = S3StagingUpload(client: client, key: store.stagingKey(createdAt: Date()), file: path, partSize: store.partSize)
        upload.staged(byteCount: Int64(bytes.count))
        upload.sealed(byteCount: Int64(bytes.count))
        let sealed = SealedBlob(path: path, digest: digest, size: Int64(bytes.count), tee: upload)
        let placed: Result<Bool, any Error>
        do { placed = .success(try await store.place(sealed)) } catch { placed = .failure(error) }
        var stored: [UInt8]?
        if try await client.headObject(key: store.key(of: digest)) != nil {
            stored = []
            for try await chunk in try await client.getObject(key: store.key(of: digest)).body { stored! += chunk.readableBytesView }
        }
        return (placed, stored)
    }

    static func random(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test func stagedBytesThatHashToTheNameArePlaced() async throws {
        let bytes = Self.random((5 << 20) + 4321)
        let (placed, stored) = try await Self.place(bytes, as: BlobDigest(SHA256.hash(data: bytes)))
        #expect(try placed.get() == true)
        #expect(stored == bytes)
    }

    @Test func stagedBytesThatDoNotHashToTheNameAreRefused() async throws {
        let bytes = Self.random((5 << 20) + 4321)
        var other = bytes
        other[0] ^= 0xFF
        let digest = BlobDigest(SHA256.hash(data: other))
        let (placed, _) = try await Self.place(bytes, as: digest)
        #expect(throws: BlobStoreError.corrupt(digest)) { try placed.get() }
    }
}
