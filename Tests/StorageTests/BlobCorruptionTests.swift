import Foundation
import Testing

@testable import Storage

/// The corruption marks, on every metadata store: kept once, listed, cleared, and gone with the blob.
@Suite struct BlobCorruptionTests {
    static let first = String(repeating: "a", count: 64)
    static let second = String(repeating: "b", count: 64)

    @Test(arguments: Backend.allCases)
    func aMarkKeepsItsFirstSightingUntilClearedOrCollected(_ backend: Backend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let seen = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await store.blobCorruption(sha256: Self.first) == nil)

        try await store.markBlobCorrupt(sha256: Self.second, at: seen)
        try await store.markBlobCorrupt(sha256: Self.first, at: seen)
        try await store.markBlobCorrupt(sha256: Self.first, at: seen.addingTimeInterval(60))
        #expect(try await store.blobCorruption(sha256: Self.first) == seen)
        #expect(
            try await store.corruptBlobs()
                == [CorruptBlobMark(sha256: Self.first, detectedAt: seen), CorruptBlobMark(sha256: Self.second, detectedAt: seen)])

        try await store.clearBlobCorruption(sha256: Self.first)
        #expect(try await store.blobCorruption(sha256: Self.first) == nil)
        #expect(try await store.corruptBlobs().map(\.sha256) == [Self.second])

        // An unreferenced blob collected takes its mark with it: a later upload of those bytes starts clean.
        let collected = try await store.collectBlob(sha256: Self.second, createdAtOrBefore: .distantFuture, now: seen) { _ in true }
        #expect(collected)
        #expect(try await store.corruptBlobs().isEmpty)
    }
}
