import Crypto
import Foundation
import S3
import S3TestSupport
import Testing

@testable import Storage

/// A resumable upload's blob is built in the bucket from its segments (UploadPartCopy), not sent
/// again, and the store still checks that what lands at the content address hashes to it.
@Suite struct S3SegmentCompositionTests {
    /// A bucket holding one upload's segments, cut as `lengths`, and the local staging directory.
    struct Bucket {
        let directory: TemporaryDirectory
        let client: S3Client
        let store: S3BlobStore
        let bytes: [UInt8]
        let segments: [UploadSegment]

        static func with<T>(lengths: [Int], _ body: (Bucket) async throws -> T) async throws -> T {
            let directory = try TemporaryDirectory()
            let client = S3Client(configuration: try await MotoServer.shared().freshBucket())
            do {
                let store = try S3BlobStore(client: client, prefix: "docintake", dataDirectory: directory.path)
                var generator = SystemRandomNumberGenerator()
                let bytes = (0..<lengths.reduce(0, +)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let file = directory.path + "/upload"
                FileManager.default.createFile(atPath: file, contents: Data(bytes))
                let shared = S3UploadSegments(store: store)
                var segments: [UploadSegment] = []
                var offset: Int64 = 0
                for length in lengths {
                    segments.append(try await shared.put(idHash: "session", file: file, offset: offset, length: Int64(length)))
                    offset += Int64(length)
                }
                let result = try await body(Bucket(directory: directory, client: client, store: store, bytes: bytes, segments: segments))
                try await client.shutdown()
                return result
            } catch {
                try? await client.shutdown()
                throw error
            }
        }

        /// A sealed local file of zeros, as long as the upload, named `digest`, to be placed by `tee`:
        /// what lands in the bucket shows which bytes the store used.
        func decoy(digest: BlobDigest, tee: (any StagingTee)?) -> SealedBlob {
            let path = directory.path + "/decoy-" + UUID().uuidString
            FileManager.default.createFile(atPath: path, contents: Data(count: bytes.count))
            return SealedBlob(path: path, digest: digest, size: Int64(bytes.count), tee: tee)
        }

        func object(_ digest: BlobDigest) async throws -> [UInt8] {
            var out: [UInt8] = []
            for try await chunk in try await client.getObject(key: store.key(of: digest)).body { out += chunk.readableBytesView }
            return out
        }
    }

    static let mib = 1 << 20

    @Test func theBlobIsComposedFromTheSegmentsWhereTheyLie() async throws {
        try await Bucket.with(lengths: [5 * Self.mib, 6 * Self.mib, 12_345]) { bucket in
            let digest = BlobDigest(SHA256.hash(data: bucket.bytes))
            let composition = try #require(S3UploadSegments(store: bucket.store).composition(of: bucket.segments, size: Int64(bucket.bytes.count)))
            #expect(try await bucket.store.place(bucket.decoy(digest: digest, tee: composition)))
            // The local file held zeros: the object's bytes came from the segments.
            #expect(try await bucket.object(digest) == bucket.bytes)
        }
    }

    @Test func segmentsThatDoNotHashToTheBlobsNameAreNotPlaced() async throws {
        try await Bucket.with(lengths: [5 * Self.mib, 1000]) { bucket in
            var other = bucket.bytes
            other[0] ^= 0xFF
            let digest = BlobDigest(SHA256.hash(data: other))
            let composition = try #require(S3UploadSegments(store: bucket.store).composition(of: bucket.segments, size: Int64(other.count)))
            await #expect(throws: BlobStoreError.corrupt(digest)) { try await bucket.store.place(bucket.decoy(digest: digest, tee: composition)) }
        }
    }

    @Test func segmentsS3CannotComposeAreSentWholeInstead() async throws {
        func segment(_ offset: Int64, _ length: Int64) -> UploadSegment {
            UploadSegment(offset: offset, length: length, sha256: String(repeating: "0", count: 64), key: "k\(offset)")
        }
        let client = S3Client(configuration: try await MotoServer.shared().freshBucket())
        defer { Task { try? await client.shutdown() } }
        let five = S3SegmentComposition.minimumPart
        let compose = { (segments: [UploadSegment], size: Int64) in S3SegmentComposition(client: client, key: "x", segments: segments, size: size) }
        #expect(compose([segment(0, five), segment(five, 1)], five + 1) != nil)
        #expect(compose([segment(0, five - 1), segment(five - 1, five)], 2 * five - 1) == nil, "a part under 5 MiB before the last")
        #expect(compose([segment(0, five), segment(five + 1, 1)], five + 2) == nil, "a gap")
        #expect(compose([segment(0, five)], five + 1) == nil, "short of the upload's length")
        #expect(compose([], 0) == nil)
    }
}
