import Crypto
import Foundation
import S3
import Testing

@testable import Storage

/// What every blob store promises (`BlobStore`), run against the directory store and against S3
/// (moto, signature checking on).
@Suite struct BlobStoreContractTests {
    static func write(_ bytes: [UInt8], to store: any BlobStore, chunk: Int = 1000) throws -> SealedBlob {
        let staged = try store.stage()
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunk, bytes.count)
            try staged.write(Array(bytes[offset..<end]))
            offset = end
        }
        return try staged.seal()
    }

    static func readAll(_ reader: any BlobReader) async throws -> [UInt8] {
        var out: [UInt8] = []
        while let chunk = try await reader.next() { out += chunk }
        return out
    }

    /// The store's staging objects and unfinished uploads, of any age, once the deletions and aborts
    /// that run after an answer had up to 5 s to finish.
    static func remoteStagingOnceSettled(_ store: any BlobStore) async throws -> [String] {
        var left = try await store.staleRemoteStaging(olderThan: -3600)
        for _ in 0..<50 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            left = try await store.staleRemoteStaging(olderThan: -3600)
        }
        return left
    }

    /// Position-dependent bytes, so that a chunk stored or hashed out of order changes the digest.
    static func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
    }

    /// Thousands of uneven chunks across several writeback strides, and for S3 across several
    /// parts sent while the upload still arrives: every byte is stored and hashed in order, and
    /// nothing of the staging is left once the blob is placed.
    @Test(arguments: BlobBackend.allCases)
    func aLargeUploadInUnevenChunksIsStoredAndHashedInOrder(_ backend: BlobBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let bytes = Self.pattern((20 << 20) + 17)
        let staged = try store.stage()
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + Int.random(in: 1...70_000), bytes.count)
            try staged.write(Array(bytes[offset..<end]))
            offset = end
        }
        let sealed = try staged.seal()
        #expect(sealed.size == Int64(bytes.count))
        #expect(sealed.digest.hex == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
        #expect(try await store.place(sealed))
        #expect(try await Self.readAll(try store.open(sealed.digest)) == bytes)
        #expect(opened.stagingFiles.isEmpty)
        // The staging object is deleted after the answer, not before it.
        let left = try await Self.remoteStagingOnceSettled(store)
        #expect(left.isEmpty, "no staging object or unfinished upload is left: \(left)")
    }

    @Test(arguments: BlobBackend.allCases)
    func aBlobIsFoundUnderItsDigest(_ backend: BlobBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let bytes = Array("開設届の写し".utf8)
        let sealed = try Self.write(bytes, to: store)
        #expect(try await store.place(sealed))
        #expect(try await store.contains(sealed.digest))
        #expect(try await store.file(sealed.digest)?.size == Int64(bytes.count))
        #expect(try await store.list().map(\.digest) == [sealed.digest])
        #expect(try await Self.readAll(store.open(sealed.digest)) == bytes)
        if let objects = store as? S3BlobStore {
            let hex = sealed.digest.hex
            let key = "docintake/sha256/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex)"
            let stored = try await #require(try await objects.client.headObject(key: key))
            #expect(stored.checksumSHA256 == Data(sealed.digest.bytes).base64EncodedString(), "S3 was given the SHA-256 to verify")
        }
    }

    @Test(arguments: BlobBackend.allCases)
    func identicalContentIsStoredOnce(_ backend: BlobBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let bytes = [UInt8](repeating: 7, count: 5000)
        #expect(try await store.place(Self.write(bytes, to: store)) == true)
        #expect(try await store.place(Self.write(bytes, to: store, chunk: 7)) == false)
        #expect(try await store.list().count == 1)
        #expect(opened.stagingFiles.isEmpty, "a deduplicated upload must not leave its temp file")
    }

    @Test(arguments: BlobBackend.allCases)
    func oneFlippedByteIsDetectedBeforeTheLastChunkIsHandedOut(_ backend: BlobBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let bytes = Self.pattern(FileBlobReader.chunkSize * 3 + 17)
        let sealed = try Self.write(bytes, to: store, chunk: 65536)
        try await store.place(sealed)
        try await opened.flip(sealed.digest, at: 123_456)

        let reader = try await store.open(sealed.digest)
        var delivered = 0
        await #expect(throws: BlobStoreError.corrupt(sealed.digest)) {
            while let chunk = try await reader.next() { delivered += chunk.count }
        }
        #expect(delivered < bytes.count, "corrupt bytes must never complete a read")
    }

    @Test(arguments: BlobBackend.allCases)
    func aRangedReadStillVerifiesTheSkippedBytes(_ backend: BlobBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let bytes = Self.pattern(FileBlobReader.chunkSize * 2)
        let sealed = try Self.write(bytes, to: store, chunk: 65536)
        try await store.place(sealed)
        let intact = try await store.open(sealed.digest)
        try await intact.skip(1000)
        #expect(try await Self.readAll(intact) == Array(bytes[1000...]))

        // Damage a byte the ranged read never returns: it must still fail.
        try await opened.flip(sealed.digest, at: 10)
        let damaged = try await store.open(sealed.digest)
        try await damaged.skip(1000)
        await #expect(throws: BlobStoreError.corrupt(sealed.digest)) { _ = try await Self.readAll(damaged) }
    }

    @Test(arguments: BlobBackend.allCases)
    func anUploadOfTheSameBytesHealsADamagedCopy(_ backend: BlobBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let bytes = Self.pattern(300_000)
        let sealed = try Self.write(bytes, to: store)
        try await store.place(sealed)
        try await opened.flip(sealed.digest, at: 200_000)
        #expect(try await store.place(Self.write(bytes, to: store)) == false)
        #expect(try await Self.readAll(store.open(sealed.digest)) == bytes)
    }

    @Test(arguments: BlobBackend.allCases)
    func aRemovedOrMissingBlobIsNotFound(_ backend: BlobBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let sealed = try Self.write(Array("gone".utf8), to: store)
        try await store.place(sealed)
        try await store.remove(sealed.digest)
        #expect(try await store.contains(sealed.digest) == false)
        #expect(try await store.file(sealed.digest) == nil)
        await #expect(throws: BlobStoreError.notFound(sealed.digest)) { try await store.open(sealed.digest) }
        try await store.remove(sealed.digest)  // removing twice is not an error
        #expect(BlobDigest(hex: "../etc/passwd") == nil)
    }

    /// An upload abandoned mid-way (a client gone, a refused file) leaves neither its temp file nor,
    /// once its parts are aborted, anything in the bucket.
    @Test(arguments: BlobBackend.allCases)
    func anAbandonedUploadLeavesNothingBehind(_ backend: BlobBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let staged = try store.stage()
        try staged.write(Self.pattern(10 << 20))  // more than one S3 part: a multipart upload is under way
        staged.discard()
        #expect(opened.stagingFiles.isEmpty)
        let left = try await Self.remoteStagingOnceSettled(store)
        #expect(left.isEmpty, "abandoned: \(left)")
        #expect(try await store.list().isEmpty)
    }

    /// What a crashed server left in the bucket (an unfinished multipart upload, a staging object)
    /// is swept once older than the grace period, and not before.
    @Test func theSweepRemovesWhatACrashedServerLeftInTheBucket() async throws {
        let opened = try await BlobBackend.s3.open()
        let store = try #require(opened.store as? S3BlobStore)
        let upload = try await store.client.createMultipartUpload(key: store.stagingKey(createdAt: Date()))
        try await store.client.putObject(key: store.stagingKey(createdAt: Date()), payload: .bytes(Array("half".utf8)))
        #expect(try await store.sweepRemoteStaging(olderThan: 3600).isEmpty, "young: may be an upload in flight on another server")
        let swept = try await store.sweepRemoteStaging(olderThan: -3600)
        #expect(swept.count == 2, "\(swept)")
        #expect(try await store.client.listMultipartUploads(prefix: store.stagingPrefix).uploads.map(\.uploadId).contains(upload) == false)
        #expect(try await store.client.listAllObjects(prefix: store.stagingPrefix).isEmpty)
    }
}
