import Foundation
import Testing

@testable import Storage

/// Blob garbage collection: what it takes, what it must leave.
@Suite struct BlobCollectorTests {
    @Test func aBlobSharedByTwoApplicationsSurvivesTheDeletionOfOne() async throws {
        let fixture = try StoreFixture()
        let shared = Array("%PDF-1.7 同じ開設届 %%EOF".utf8)
        let first = try await fixture.submit([.openingNotification: shared])
        let second = try await fixture.submit([.openingNotification: shared])
        let sha = try #require(try await fixture.metadata.documents(applicationId: first.id).first?.blobSha256)
        try await fixture.move(first.id, to: .rejected)
        try await fixture.expire(first)

        let later = Date().addingTimeInterval(60)
        #expect(try await fixture.collector.plan(cutoff: later).isEmpty, "the second application still references it")
        await #expect(
            try fixture.collector.collect(BlobGarbage(sha256: sha, size: 0, kind: .unreferenced), cutoff: later) == nil,
            "and the locked re-check refuses it even when asked directly")
        #expect(fixture.exists(sha))
        try await fixture.verify(sha)

        try await fixture.move(second.id, to: .rejected)
        try await fixture.expire(second)
        let garbage = try await fixture.collector.plan(cutoff: later)
        #expect(garbage == [BlobGarbage(sha256: sha, size: Int64(shared.count), kind: .unreferenced)])
        #expect(try await fixture.collector.collect(garbage[0], cutoff: later) == Int64(shared.count))
        #expect(!fixture.exists(sha))
        #expect(try await fixture.metadata.blobUsage().isEmpty, "the row goes with the file")
    }

    @Test func thePlanCountsReferencesAboutToBeReleased() async throws {
        let fixture = try StoreFixture()
        let app = try await fixture.submit([.openingPermit: Array("PNG".utf8)])
        let sha = try #require(try await fixture.metadata.documents(applicationId: app.id).first?.blobSha256)
        let later = Date().addingTimeInterval(60)
        #expect(try await fixture.collector.plan(cutoff: later).isEmpty)
        #expect(try await fixture.collector.plan(cutoff: later, releasing: [sha: 1]).map(\.sha256) == [sha])
        #expect(try await fixture.collector.plan(cutoff: later, releasing: [sha: 1]).first?.kind == .unreferenced)
    }

    @Test func nothingYoungerThanTheCutoffIsCollected() async throws {
        let fixture = try StoreFixture()
        let app = try await fixture.submit([.openingPermit: Array("young".utf8)])
        let sha = try #require(try await fixture.metadata.documents(applicationId: app.id).first?.blobSha256)
        try await fixture.move(app.id, to: .rejected)
        try await fixture.expire(app)
        let earlier = Date().addingTimeInterval(-3600)
        #expect(try await fixture.collector.plan(cutoff: earlier).isEmpty)
        #expect(try await fixture.collector.collect(BlobGarbage(sha256: sha, size: 0, kind: .unreferenced), cutoff: earlier) == nil)
        #expect(fixture.exists(sha))
    }

    @Test func orphanFilesAndRowsWithoutFilesAreCollectedAfterTheGracePeriod() async throws {
        let fixture = try StoreFixture()
        // An orphan: placed, then the process died before COMMIT.
        let old = try fixture.seal(Array("crashed upload".utf8))
        try await fixture.blobs.place(old)
        try fixture.age(fixture.path(old.digest.hex), by: 2 * 86400)
        let young = try fixture.seal(Array("crashed a moment ago".utf8))
        try await fixture.blobs.place(young)
        // A row whose file is gone: a collection that crashed between unlink and COMMIT.
        let app = try await fixture.submit([.openingPermit: Array("gone".utf8)], at: Date(timeIntervalSinceNow: -2 * 86400))
        let goneSha = try #require(try await fixture.metadata.documents(applicationId: app.id).first?.blobSha256)
        try await fixture.move(app.id, to: .rejected)
        try await fixture.expire(app)
        try FileManager.default.removeItem(atPath: fixture.path(goneSha))

        let cutoff = Date().addingTimeInterval(-86400)
        let garbage = try await fixture.collector.plan(cutoff: cutoff)
        #expect(
            Set(garbage) == [
                BlobGarbage(sha256: old.digest.hex, size: old.size, kind: .orphanFile),
                BlobGarbage(sha256: goneSha, size: 0, kind: .rowWithoutFile),
            ])
        for item in garbage { #expect(try await fixture.collector.collect(item, cutoff: cutoff) != nil) }
        #expect(!fixture.exists(old.digest.hex))
        #expect(fixture.exists(young.digest.hex), "a young orphan may be an upload about to be retried")
        #expect(try await fixture.metadata.blobUsage().isEmpty)
        #expect(try await fixture.collector.plan(cutoff: cutoff).isEmpty, "a second pass finds nothing")
    }
}
