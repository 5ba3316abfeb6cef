import Crypto
import Foundation
import Testing

@testable import Storage

@Suite struct FileBlobStoreTests {
    func write(_ bytes: [UInt8], to store: FileBlobStore, chunk: Int = 1000) throws -> SealedBlob {
        let staged = try store.stage()
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunk, bytes.count)
            try staged.write(Array(bytes[offset..<end]))
            offset = end
        }
        return try staged.seal()
    }

    func readAll(_ reader: any BlobReader) async throws -> [UInt8] {
        var out: [UInt8] = []
        while let chunk = try await reader.next() { out += chunk }
        return out
    }

    /// Thousands of uneven chunks, far more than the hasher's queue holds, across several writeback
    /// strides: the digest is computed on another thread and must still see every byte in order.
    @Test func aLargeUploadInUnevenChunksHashesEveryByteInOrder() async throws {
        let dir = try TemporaryDirectory()
        let store = try FileBlobStore(root: dir.path)
        // Position-dependent bytes, so that a chunk hashed out of order changes the digest.
        let bytes = (0..<(20 << 20) + 17).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
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
        _ = try await store.place(sealed)
        #expect(try await readAll(try store.open(sealed.digest)) == bytes)
    }

    @Test func digestMatchesSHA256AndPathIsContentAddressed() async throws {
        let dir = try TemporaryDirectory()
        let store = try FileBlobStore(root: dir.path)
        let bytes = Array("開設届の写し".utf8)
        let sealed = try write(bytes, to: store)
        let expected = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        #expect(sealed.digest.hex == expected)
        #expect(sealed.size == Int64(bytes.count))
        #expect(try await store.place(sealed))
        let hex = sealed.digest.hex
        #expect(
            FileManager.default.fileExists(
                atPath: "\(dir.path)/blobs/sha256/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex)"))
        #expect(try await readAll(store.open(sealed.digest)) == bytes)
    }

    @Test func identicalContentIsStoredOnce() async throws {
        let dir = try TemporaryDirectory()
        let store = try FileBlobStore(root: dir.path)
        let bytes = [UInt8](repeating: 7, count: 5000)
        #expect(try await store.place(write(bytes, to: store)) == true)
        #expect(try await store.place(write(bytes, to: store, chunk: 7)) == false)
        #expect(try await store.list().count == 1)
        #expect(dir.files(under: "tmp").isEmpty, "a deduplicated upload must not leave its temp file")
    }

    @Test func aTempFileLeftByACrashIsNeverABlobAndIsSwept() async throws {
        let dir = try TemporaryDirectory()
        let store = try FileBlobStore(root: dir.path)
        // A crash mid-upload: bytes written, never sealed or placed. Simulate it by leaking the
        // temp file the way a killed process would.
        let crashed = try store.stage()
        try crashed.write([UInt8](repeating: 1, count: 100))
        let leftover = crashed.path
        try FileManager.default.copyItem(atPath: leftover, toPath: leftover + "-crashed")
        crashed.discard()

        #expect(try await store.list().isEmpty)
        #expect(dir.files(under: "tmp").count == 1)
        #expect(try store.sweepStaging(olderThan: 3600).isEmpty, "a fresh temp file may be an upload in flight")
        #expect(try store.sweepStaging(olderThan: 0).count == 1)
        #expect(dir.files(under: "tmp").isEmpty)
    }

    @Test func oneFlippedByteIsDetectedBeforeTheLastChunkIsHandedOut() async throws {
        let dir = try TemporaryDirectory()
        let store = try FileBlobStore(root: dir.path)
        let bytes = (0..<(FileBlobReader.chunkSize * 3 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let sealed = try write(bytes, to: store, chunk: 65536)
        try await store.place(sealed)

        let path = store.path(of: sealed.digest)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: 123_456)
        let original = try #require(try handle.read(upToCount: 1)).first!
        try handle.seek(toOffset: 123_456)
        try handle.write(contentsOf: [original ^ 0x01])
        try handle.close()

        let reader = try await store.open(sealed.digest)
        var delivered = 0
        await #expect(throws: BlobStoreError.corrupt(sealed.digest)) {
            while let chunk = try await reader.next() { delivered += chunk.count }
        }
        #expect(delivered < bytes.count, "corrupt bytes must never complete a read")
    }

    @Test func eightConcurrentWritersOfTheSameContentMakeOneBlob() async throws {
        let dir = try TemporaryDirectory()
        let store = try FileBlobStore(root: dir.path)
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 / 3) }
        let created = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let staged = try store.stage()
                    try staged.write(bytes)
                    return try await store.place(try staged.seal())
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(created.filter { $0 }.count == 1, "exactly one writer created it: \(created)")
        #expect(try await store.list().count == 1)
        #expect(dir.files(under: "tmp").isEmpty)
        #expect(try await readAll(store.open(store.list()[0].digest)) == bytes)
    }

    @Test func aRangedReadStillVerifiesTheSkippedBytes() async throws {
        let dir = try TemporaryDirectory()
        let store = try FileBlobStore(root: dir.path)
        let bytes = (0..<(FileBlobReader.chunkSize * 2)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let sealed = try write(bytes, to: store, chunk: 65536)
        try await store.place(sealed)
        let intact = try await store.open(sealed.digest)
        try await intact.skip(1000)
        #expect(try await readAll(intact) == Array(bytes[1000...]))

        // Damage a byte the ranged read never returns: it must still fail.
        let handle = try #require(FileHandle(forUpdatingAtPath: store.path(of: sealed.digest)))
        try handle.seek(toOffset: 10)
        try handle.write(contentsOf: [bytes[10] ^ 0xFF])
        try handle.close()
        let damaged = try await store.open(sealed.digest)
        try await damaged.skip(1000)
        await #expect(throws: BlobStoreError.corrupt(sealed.digest)) { _ = try await readAll(damaged) }
    }

    @Test func placingTheSameSealedBlobTwiceKeepsTheFirstPlacement() async throws {
        let dir = try TemporaryDirectory()
        let store = try FileBlobStore(root: dir.path)
        let sealed = try write(Array("retry".utf8), to: store)
        #expect(try await store.place(sealed))
        // A retried transaction places again: no error, no second file, and a late discard()
        // must not remove anything.
        #expect(try await store.place(sealed) == false)
        sealed.discard()
        #expect(try await readAll(store.open(sealed.digest)) == Array("retry".utf8))
    }

    @Test func missingBlobIsNotFound() async throws {
        let dir = try TemporaryDirectory()
        let store = try FileBlobStore(root: dir.path)
        let digest = try #require(BlobDigest(hex: String(repeating: "ab", count: 32)))
        await #expect(throws: BlobStoreError.notFound(digest)) { try await store.open(digest) }
        #expect(BlobDigest(hex: "../etc/passwd") == nil)
    }
}
