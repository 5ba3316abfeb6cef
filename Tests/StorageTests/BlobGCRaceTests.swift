import Foundation
import Synchronization
import Testing

@testable import Storage

/// Garbage collection racing uploads of the same bytes, with no grace period at all: only the
/// write-lock discipline stands between a deduplicating upload and the loss of its blob. Two
/// tests hold each interleaving still at its critical point; a third races them many times.
@Suite struct BlobGCRaceTests {
    static let iterations = 300

    /// What happened under the write lock, in lock order, across all iterations.
    final class Tally: Sendable {
        let counts = Mutex<[String: Int]>([:])
        func add(_ event: String) { counts.withLock { $0[event, default: 0] += 1 } }
        subscript(_ event: String) -> Int { counts.withLock { $0[event, default: 0] } }
    }

    /// Commits an application with one document holding `bytes`, placing the blob through
    /// `store` inside the insert's transaction as IntakeService does; `placed` learns, under the
    /// write lock, whether the blob was placed anew (true) or deduplicated (false).
    static func upload(
        _ bytes: [UInt8], to fixture: StoreFixture, through store: any BlobStore, placed: (Bool) -> Void = { _ in }
    ) throws -> String {
        let sealed = try fixture.seal(bytes)
        let id = UUID().uuidString
        var application = SQLiteMetadataStoreTests.application(id: id, receipt: "R-" + id)
        application.createdAt = Date()
        let row = DocumentRecord(
            applicationId: id, slot: "opening_notification", blobSha256: sealed.digest.hex,
            size: sealed.size, originalFilename: "n.pdf", detectedType: "pdf",
            mimeType: "application/pdf", uploadedAt: Date())
        try fixture.metadata.insertApplication(
            application, documents: [row], audit: AuditEntry(applicationId: id, at: Date(), actor: "applicant", action: "submit"),
            notice: nil
        ) {
            placed(try store.place(sealed))
        }
        return id
    }

    /// An unreferenced blob, as left by expiring the only application that used it.
    static func unreferencedBlob(in fixture: StoreFixture) throws -> (bytes: [UInt8], sha: String) {
        let bytes = Array("%PDF-1.4 \(UUID().uuidString) %%EOF".utf8)
        let doomed = try fixture.submit(["opening_notification": bytes])
        let sha = try require(try fixture.metadata.documents(applicationId: doomed.id).first?.blobSha256)
        try fixture.move(doomed.id, to: "rejected")
        try fixture.expire(doomed)
        return (bytes, sha)
    }

    /// One interleaving held still: the collection has decided and is about to delete the file
    /// when an upload of the same bytes arrives. The upload must wait for the collection to
    /// commit, then find no file and place its own copy.
    @Test func anUploadArrivingWhileACollectionDeletesWaitsAndPlacesItsOwnCopy() async throws {
        let fixture = try StoreFixture()
        let (bytes, sha) = try Self.unreferencedBlob(in: fixture)
        let collecting = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let hooked = HookedBlobStore(
            base: fixture.blobs,
            beforeRemove: {
                collecting.signal()
                collecting.signal()
                release.wait()
            })
        let uploadDone = Mutex<Bool?>(nil)
        let doneBeforeRelease = Mutex<Bool>(false)
        let collected = Mutex<Int64?>(nil)

        try await onThreads(3) { thread in
            switch thread {
            case 0:
                let freed = try BlobCollector(blobs: hooked, metadata: fixture.metadata)
                    .collect(BlobGarbage(sha256: sha, size: 0, kind: .unreferenced), cutoff: Date())
                collected.withLock { $0 = freed }
            case 1:
                collecting.wait()
                _ = try Self.upload(bytes, to: fixture, through: fixture.blobs) { created in uploadDone.withLock { $0 = created } }
            default:
                collecting.wait()
                Thread.sleep(forTimeInterval: 0.3)
                doneBeforeRelease.withLock { $0 = uploadDone.withLock { $0 } != nil }
                release.signal()
            }
        }
        #expect(doneBeforeRelease.withLock { $0 } == false, "the upload must wait for the collection's transaction")
        #expect(collected.withLock { $0 } == Int64(bytes.count))
        #expect(uploadDone.withLock { $0 } == true, "the upload found no file and placed its own copy")
        try fixture.verify(sha)
    }

    /// The other interleaving held still: an upload has just deduplicated onto the unreferenced
    /// blob inside its transaction when a collection starts. The collection must wait, then see
    /// the new reference and keep the blob.
    @Test func aCollectionArrivingWhileAnUploadDedupesWaitsAndKeepsTheBlob() async throws {
        let fixture = try StoreFixture()
        let (bytes, sha) = try Self.unreferencedBlob(in: fixture)
        let placed = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let hooked = HookedBlobStore(
            base: fixture.blobs,
            afterPlace: {
                placed.signal()
                placed.signal()
                release.wait()
            })
        let collection = Mutex<Int64??>(nil)
        let doneBeforeRelease = Mutex<Bool>(false)
        let deduplicated = Mutex<Bool>(false)

        try await onThreads(3) { thread in
            switch thread {
            case 0:
                _ = try Self.upload(bytes, to: fixture, through: hooked) { created in deduplicated.withLock { $0 = !created } }
            case 1:
                placed.wait()
                let freed = try fixture.collector.collect(BlobGarbage(sha256: sha, size: 0, kind: .unreferenced), cutoff: Date())
                collection.withLock { $0 = .some(freed) }
            default:
                placed.wait()
                Thread.sleep(forTimeInterval: 0.3)
                doneBeforeRelease.withLock { $0 = collection.withLock { $0 } != nil }
                release.signal()
            }
        }
        #expect(deduplicated.withLock { $0 })
        #expect(doneBeforeRelease.withLock { $0 } == false, "the collection must wait for the upload's transaction")
        #expect(collection.withLock { $0 } == .some(nil), "the collection saw the new reference and kept the blob")
        try fixture.verify(sha)
    }

    @Test func uploadsDedupingOntoAnUnreferencedBlobNeverLoseItToACollection() async throws {
        let fixture = try StoreFixture()
        let tally = Tally()
        let started = Date()
        for iteration in 0..<Self.iterations {
            let bytes = Array("%PDF-1.4 iteration \(iteration) \(UUID().uuidString) %%EOF".utf8)
            // The blob starts referenced by one application whose documents are about to expire.
            let doomed = try fixture.submit(["opening_notification": bytes])
            let sha = try #require(try fixture.metadata.documents(applicationId: doomed.id).first?.blobSha256)
            try fixture.move(doomed.id, to: "rejected")
            let uploaded = Mutex<[String]>([])

            try await onThreads(5) { thread in
                // Uploads start a little later on average than the expiry, so that some find the
                // blob unreferenced and some collections get in before them.
                usleep(UInt32.random(in: 0...(thread < 2 ? 1000 : 3000)))
                switch thread {
                case 0:
                    try fixture.expire(doomed)
                case 1:
                    // The collector, over and over, by plan and by direct request.
                    for round in 0..<10 {
                        let cutoff = Date()
                        let garbage =
                            round.isMultiple(of: 2)
                            ? try fixture.collector.plan(cutoff: cutoff)
                            : [BlobGarbage(sha256: sha, size: 0, kind: .unreferenced)]
                        for item in garbage where try fixture.collector.collect(item, cutoff: cutoff) != nil {
                            tally.add("collected")
                        }
                        usleep(UInt32.random(in: 0...400))
                    }
                default:
                    let id = try Self.upload(bytes, to: fixture, through: fixture.blobs) { tally.add($0 ? "placed anew" : "deduplicated") }
                    uploaded.withLock { $0.append(id) }
                }
            }

            // Every committed document's blob exists and verifies.
            let ids = uploaded.withLock { $0 }
            #expect(ids.count == 3)
            for id in ids {
                let document = try #require(try fixture.metadata.documents(applicationId: id).first)
                #expect(document.blobSha256 == sha)
                #expect(fixture.exists(sha), "iteration \(iteration): a committed upload lost its blob")
                #expect(throws: Never.self, "iteration \(iteration)") { try fixture.verify(sha) }
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
