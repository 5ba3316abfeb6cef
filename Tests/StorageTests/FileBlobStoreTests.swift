import Crypto
import Foundation
import Testing

@testable import Storage

/// What only the directory store does (the contract every store keeps is `BlobStoreContractTests`).
@Suite struct FileBlobStoreTests {
    func write(_ bytes: [UInt8], to store: FileBlobStore, chunk: Int = 1000) throws -> SealedBlob {
        try BlobStoreContractTests.write(bytes, to: store, chunk: chunk)
    }

    func readAll(_ reader: any BlobReader) async throws -> [UInt8] {
        try await BlobStoreContractTests.readAll(reader)
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

}
