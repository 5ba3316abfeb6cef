import Foundation
import Synchronization
import Testing

@testable import Storage

/// Garbage collection racing uploads of the same bytes, with no grace period at all: only the
/// reservation discipline (docs/scale-out.md) stands between a deduplicating upload and the loss
/// of its blob. Each interleaving is held still at its critical point by a gate; a last test races
/// them many times.
@Suite struct BlobGCRaceTests {
    static let iterations = 150

    /// What happened, across all iterations.
    final class Tally: Sendable {
        let counts = Mutex<[String: Int]>([:])
        func add(_ event: String) { counts.withLock { $0[event, default: 0] += 1 } }
        subscript(_ event: String) -> Int { counts.withLock { $0[event, default: 0] } }
    }

    /// Commits an application with one document holding `bytes` as IntakeService does (reserve,
    /// place through `store`, commit), and returns its id.
    static func upload(_ bytes: [UInt8], to fixture: StoreFixture, through store: any BlobStore) async throws -> String {
        let sealed = try fixture.seal(bytes)
        let id = UUID().uuidString
        var application = SQLiteMetadataStoreTests.application(id: id, receipt: "R-" + id)
        application.createdAt = Date()
        let row = DocumentRecord(
            applicationId: id, slot: .openingNotification, blobSha256: sealed.digest.hex,
            size: sealed.size, originalFilename: "n.pdf", detectedType: "pdf",
            mimeType: "application/pdf", uploadedAt: Date())
        try await BlobPlacement(blobs: store, metadata: fixture.metadata).place([sealed], at: Date()) { reservation in
            try await fixture.metadata.insertApplication(
                application, documents: [row], audit: AuditEntry(applicationId: id, at: Date(), actor: "applicant", action: "submit"),
                notice: nil, releasing: reservation)
        }
        return id
    }

    /// An unreferenced blob, as left by expiring the only application that used it.
    static func unreferencedBlob(in fixture: StoreFixture) async throws -> (bytes: [UInt8], sha: String) {
        let bytes = Array("%PDF-1.4 \(UUID().uuidString) %%EOF".utf8)
        let doomed = try await fixture.submit([.openingNotification: bytes])
        let sha = try await require(try fixture.metadata.documents(applicationId: doomed.id).first?.blobSha256)
        try await fixture.move(doomed.id, to: .rejected)
        try await fixture.expire(doomed)
        return (bytes, sha)
    }

    static func garbage(_ sha: String) -> BlobGarbage { BlobGarbage(sha256: sha, size: 0, kind: .unreferenced) }

    /// Held still: the collection has decided and is deleting the file (holding the blob row's
    /// lock) when an upload of the same bytes arrives. The upload's reservation must wait for the
    /// collection to commit; the upload then finds no file and places its own copy.
    @Test func anUploadArrivingWhileACollectionDeletesWaitsAndPlacesItsOwnCopy() async throws {
        let fixture = try StoreFixture()
        let (bytes, sha) = try await Self.unreferencedBlob(in: fixture)
        let (collecting, release) = (Gate(), Gate())
        let collector = BlobCollector(
            blobs: HookedBlobStore(
                base: fixture.blobs,
                beforeRemove: {
                    collecting.open()
                    await release.wait()
                }), metadata: fixture.metadata)
        let placed = Mutex<Bool?>(nil)
        let collection = Task { try await collector.collect(Self.garbage(sha), cutoff: Date()) }
        await collecting.wait()
        let upload = Task {
            try await Self.upload(
                bytes, to: fixture, through: HookedBlobStore(base: fixture.blobs, afterPlace: { created in placed.withLock { $0 = created } }))
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(placed.withLock { $0 } == nil, "the upload must wait for the collection's transaction")
        release.open()
        #expect(try await collection.value == Int64(bytes.count))
        let id = try await upload.value
        #expect(placed.withLock { $0 } == true, "the upload found no file and placed its own copy")
        #expect(try await fixture.metadata.documents(applicationId: id).first?.blobSha256 == sha)
        try await fixture.verify(sha)
    }

    /// Held still: an upload has reserved the unreferenced blob and deduplicated onto it, and has
    /// not committed its rows yet, when a collection comes. The reservation keeps the blob.
    @Test func aCollectionBetweenAnUploadsPlacementAndCommitKeepsTheBlob() async throws {
        let fixture = try StoreFixture()
        let (bytes, sha) = try await Self.unreferencedBlob(in: fixture)
        let (placed, release) = (Gate(), Gate())
        let deduplicated = Mutex(false)
        let hooked = HookedBlobStore(
            base: fixture.blobs,
            afterPlace: { created in
                deduplicated.withLock { $0 = !created }
                placed.open()
                await release.wait()
            })
        let upload = Task { try await Self.upload(bytes, to: fixture, through: hooked) }
        await placed.wait()
        #expect(deduplicated.withLock { $0 })
        #expect(try await fixture.collector.collect(Self.garbage(sha), cutoff: Date()) == nil, "the reservation protects the blob")
        release.open()
        let id = try await upload.value
        #expect(try await fixture.metadata.documents(applicationId: id).first?.blobSha256 == sha)
        try await fixture.verify(sha)
    }

    /// A reservation protects a blob only until it expires or is released: a crashed upload
    /// leaves nothing that holds garbage for long.
    @Test func aReservationProtectsUntilItExpiresOrIsReleased() async throws {
        let fixture = try StoreFixture()
        let (bytes, sha) = try await Self.unreferencedBlob(in: fixture)
        let now = Date()
        let row = BlobRecord(sha256: sha, size: Int64(bytes.count), createdAt: now)
        let live = BlobReservation(expiresAt: now.addingTimeInterval(60))
        try await fixture.metadata.reserveBlobs([row], reservation: live)
        #expect(try await fixture.collector.collect(Self.garbage(sha), cutoff: now, now: now) == nil)
        // The same reservation seen from a clock past its expiry protects nothing.
        #expect(try await fixture.collector.collect(Self.garbage(sha), cutoff: now, now: now.addingTimeInterval(61)) == Int64(bytes.count))
        #expect(!fixture.exists(sha))

        let (bytes2, sha2) = try await Self.unreferencedBlob(in: fixture)
        let later = Date()
        let other = BlobReservation(expiresAt: later.addingTimeInterval(60))
        try await fixture.metadata.reserveBlobs([BlobRecord(sha256: sha2, size: Int64(bytes2.count), createdAt: now)], reservation: other)
        #expect(try await fixture.collector.collect(Self.garbage(sha2), cutoff: later, now: later) == nil)
        try await fixture.metadata.releaseBlobReservation(other)
        #expect(try await fixture.collector.collect(Self.garbage(sha2), cutoff: later, now: later) == Int64(bytes2.count))
    }

    /// An upload whose commit fails takes back the blob it created, unless another upload of the
    /// same bytes has reserved it meanwhile.
    @Test func aFailedCommitRemovesItsNewBlobUnlessAnotherUploadReservedIt() async throws {
        struct CommitFailed: Error {}
        let fixture = try StoreFixture()
        let bytes = Array("%PDF-1.4 \(UUID().uuidString) %%EOF".utf8)
        let sealed = try fixture.seal(bytes)
        await #expect(throws: CommitFailed.self) {
            try await fixture.placement.place([sealed], at: Date()) { _ in throw CommitFailed() }
        }
        #expect(!fixture.exists(sealed.digest.hex), "the refused upload left its blob behind")
        #expect(try await fixture.metadata.blobUsage().isEmpty, "the refused upload left its blob row behind")

        let again = try fixture.seal(bytes)
        let other = BlobReservation(expiresAt: Date().addingTimeInterval(60))
        await #expect(throws: CommitFailed.self) {
            try await fixture.placement.place([again], at: Date()) { _ in
                try await fixture.metadata.reserveBlobs(
                    [BlobRecord(sha256: again.digest.hex, size: again.size, createdAt: Date())], reservation: other)
                throw CommitFailed()
            }
        }
        #expect(fixture.exists(again.digest.hex), "another upload's reservation keeps the blob")
        try await fixture.verify(again.digest.hex)
    }

    @Test func uploadsDedupingOntoAnUnreferencedBlobNeverLoseItToACollection() async throws {
        let fixture = try StoreFixture()
        let tally = Tally()
        let started = Date()
        let counting = HookedBlobStore(base: fixture.blobs, afterPlace: { created in tally.add(created ? "placed anew" : "deduplicated") })
        for iteration in 0..<Self.iterations {
            let bytes = Array("%PDF-1.4 iteration \(iteration) \(UUID().uuidString) %%EOF".utf8)
            // The blob starts referenced by one application whose documents are about to expire.
            let doomed = try await fixture.submit([.openingNotification: bytes])
            let sha = try #require(try await fixture.metadata.documents(applicationId: doomed.id).first?.blobSha256)
            try await fixture.move(doomed.id, to: .rejected)
            // Every tenth round the expiry and a collection come first, so that the run sees a
            // collected blob placed anew whatever the machine's load does to the races' timing.
            let collectFirst = iteration.isMultiple(of: 10)
            if collectFirst {
                try await fixture.expire(doomed)
                if try await fixture.collector.collect(Self.garbage(sha), cutoff: Date()) != nil { tally.add("collected") }
            }
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                // Uploads start a little later on average than the expiry, so that some find the
                // blob unreferenced and some collections get in before them.
                group.addTask {
                    guard !collectFirst else { return nil }
                    try await Task.sleep(for: .microseconds(Int.random(in: 0...1000)))
                    try await fixture.expire(doomed)
                    return nil
                }
                group.addTask {
                    // The collector, over and over, by plan and by direct request.
                    for round in 0..<20 {
                        let cutoff = Date()
                        let garbage = round.isMultiple(of: 2) ? try await fixture.collector.plan(cutoff: cutoff) : [Self.garbage(sha)]
                        for item in garbage where try await fixture.collector.collect(item, cutoff: cutoff) != nil {
                            tally.add("collected")
                        }
                        try await Task.sleep(for: .microseconds(Int.random(in: 0...400)))
                    }
                    return nil
                }
                for _ in 0..<3 {
                    group.addTask {
                        try await Task.sleep(for: .microseconds(Int.random(in: 1000...5000)))
                        return try await Self.upload(bytes, to: fixture, through: counting)
                    }
                }
                return try await group.reduce(into: [String]()) { ids, id in if let id { ids.append(id) } }
            }

            // Every committed document's blob exists and verifies.
            #expect(ids.count == 3)
            for id in ids {
                let document = try #require(try await fixture.metadata.documents(applicationId: id).first)
                #expect(document.blobSha256 == sha)
                #expect(fixture.exists(sha), "iteration \(iteration): a committed upload lost its blob")
                await #expect(throws: Never.self, "iteration \(iteration)") { try await fixture.verify(sha) }
            }
            if !fixture.exists(sha) { break }
        }
        print(
            """
            GC race: \(Self.iterations) iterations in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; \
            collected \(tally["collected"]), uploads placed anew \(tally["placed anew"]), deduplicated \(tally["deduplicated"])
            """)
        // Both sides of the race happened: collections that freed the blob, and uploads that
        // found it still there.
        #expect(tally["collected"] > 0)
        #expect(tally["placed anew"] > 0)
        #expect(tally["deduplicated"] > 0)
    }
}
