import Crypto
import DocIntakeAPI
import Foundation
import Testing

@testable import Storage

/// Resumable upload sessions in the metadata store: the lease lets one request append at a time
/// and a stalled one be taken over; a session is used once; expiry lists what the sweeper takes.
@Suite struct UploadSessionStoreTests {
    static func session(_ idHash: String = UUID().uuidString, slot: DocumentSlot = .openingPermit, created: Date = Date()) -> UploadSessionRecord {
        UploadSessionRecord(
            idHash: idHash, slot: slot, length: 1000, filename: "開設許可書.pdf", createdAt: created,
            expiresAt: created.addingTimeInterval(86_400))
    }

    @Test(arguments: Backend.allCases) func aSessionRoundTripsAndItsProgressNeedsTheLease(_ backend: Backend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let created = Self.session(created: now)
        try await store.insertUpload(created)
        #expect(try await store.upload(idHash: created.idHash) == created)
        #expect(try await store.upload(idHash: "missing") == nil)

        var leased = try #require(try await store.leaseUpload(idHash: created.idHash, holder: "a", now: now, until: now.addingTimeInterval(30)))
        #expect(leased.leaseHolder == "a")
        leased.offset = 400
        leased.segments = [
            UploadSegment(offset: 0, length: 150, sha256: String(repeating: "b", count: 64), key: "uploads/x/000000000000000-1"),
            UploadSegment(offset: 150, length: 250, sha256: String(repeating: "c", count: 64), key: "uploads/x/000000000000150-2"),
        ]
        #expect(try await store.updateUpload(leased, holder: "a", releasingLease: false))
        #expect(try await store.upload(idHash: created.idHash)?.offset == 400)
        #expect(try await store.upload(idHash: created.idHash)?.segments == leased.segments, "the segments back the offset, in order")
        // Someone else cannot write over a lease that is not theirs.
        var stranger = leased
        stranger.offset = 999
        #expect(try await !store.updateUpload(stranger, holder: "b", releasingLease: true))

        leased.offset = 1000
        leased.state = .accepted
        leased.sha256 = String(repeating: "a", count: 64)
        leased.detectedType = "pdf"
        #expect(try await store.updateUpload(leased, holder: "a", releasingLease: true))
        let stored = try #require(try await store.upload(idHash: created.idHash))
        #expect(stored.offset == 1000 && stored.state == .accepted && stored.detectedType == "pdf")
        #expect(stored.leaseHolder == nil && stored.leaseExpiresAt == nil)
        await #expect(throws: MetadataStoreError.notFound) {
            _ = try await store.leaseUpload(idHash: "missing", holder: "a", now: now, until: now)
        }
    }

    /// A stalled request keeps its lease only until it runs out; then the next one takes over, and
    /// the stalled one's late write is refused.
    @Test(arguments: Backend.allCases) func aStalledLeaseIsTakenOverAndItsLateWriteRefused(_ backend: Backend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let created = Self.session(created: now)
        try await store.insertUpload(created)
        var stalled = try #require(try await store.leaseUpload(idHash: created.idHash, holder: "a", now: now, until: now.addingTimeInterval(30)))
        #expect(
            try await store.leaseUpload(idHash: created.idHash, holder: "b", now: now.addingTimeInterval(29), until: now.addingTimeInterval(60))
                == nil)
        let taken = try await store.leaseUpload(
            idHash: created.idHash, holder: "b", now: now.addingTimeInterval(31), until: now.addingTimeInterval(61))
        #expect(taken?.leaseHolder == "b")
        stalled.offset = 500
        #expect(try await !store.updateUpload(stalled, holder: "a", releasingLease: true))
        #expect(try await store.upload(idHash: created.idHash)?.offset == 0)
    }

    /// Only an accepted, unexpired session of the right slot can be used, and only once, unless
    /// its user gives it back.
    @Test(arguments: Backend.allCases) func aSessionIsUsedOnceForItsSlotWhileUnexpired(_ backend: Backend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var session = Self.session(created: now)
        try await store.insertUpload(session)
        #expect(try await store.useUpload(idHash: session.idHash, slot: session.slot, now: now) == nil, "a session still receiving was used")
        session = try #require(try await store.leaseUpload(idHash: session.idHash, holder: "a", now: now, until: now.addingTimeInterval(30)))
        session.state = .accepted
        session.offset = session.length
        #expect(try await store.updateUpload(session, holder: "a", releasingLease: true))

        #expect(try await store.useUpload(idHash: session.idHash, slot: .openingNotification, now: now) == nil, "used for another slot")
        #expect(try await store.useUpload(idHash: session.idHash, slot: session.slot, now: session.expiresAt) == nil, "used once expired")
        #expect(try await store.useUpload(idHash: session.idHash, slot: session.slot, now: now)?.state == .accepted)
        #expect(try await store.useUpload(idHash: session.idHash, slot: session.slot, now: now) == nil, "used twice")
        #expect(try await store.upload(idHash: session.idHash)?.state == .used)
        #expect(try await store.restoreUpload(idHash: session.idHash))
        #expect(try await !store.restoreUpload(idHash: session.idHash))
        #expect(try await store.useUpload(idHash: session.idHash, slot: session.slot, now: now) != nil)
    }

    @Test(arguments: Backend.allCases) func expiredSessionsAreListedOldestFirstAndDeleted(_ backend: Backend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let old = Self.session("old", created: now.addingTimeInterval(-90_000))
        let older = Self.session("older", created: now.addingTimeInterval(-100_000))
        let fresh = Self.session("fresh", created: now.addingTimeInterval(-3_600))
        for session in [old, older, fresh] { try await store.insertUpload(session) }
        #expect(try await store.expiredUploads(now: now).map(\.idHash) == ["older", "old"])
        #expect(try await store.deleteUpload(idHash: "old"))
        #expect(try await !store.deleteUpload(idHash: "old"))
        #expect(try await store.expiredUploads(now: now).map(\.idHash) == ["older"])
        #expect(try await store.upload(idHash: "fresh") != nil)
    }
}

/// A resumable upload's bytes: appended by one request at a time, durable before the offset moves,
/// hashed across requests with or without the in-memory checkpoint.
@Suite struct UploadStagingTests {
    @Test func aResumeWithoutACheckpointRehashesThePrefixAndGetsTheSameDigest() throws {
        let directory = try TemporaryDirectory()
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let expected = BlobDigest(SHA256.hash(data: bytes)).hex

        let first = try UploadStaging(directory: directory.path)
        let appender = try first.append(idHash: "s", at: 0)
        try appender.write(Array(bytes[..<100_000]))
        let firstCommit = try appender.commit(isLast: false)
        #expect(firstCommit.offset == 100_000 && firstCommit.sha256 == nil)
        // The same process resumes from its checkpoint: nothing is read back.
        let second = try first.append(idHash: "s", at: 100_000)
        try second.write(Array(bytes[100_000..<200_000]))
        _ = try second.commit(isLast: false)
        #expect(first.bytesRehashed == 0)

        // A new process (no checkpoint) re-reads the 200,000 bytes already there.
        let restarted = try UploadStaging(directory: directory.path)
        let third = try restarted.append(idHash: "s", at: 200_000)
        try third.write(Array(bytes[200_000...]))
        let done = try third.commit(isLast: true)
        #expect(done.offset == 300_000)
        #expect(done.sha256 == expected)
        #expect(restarted.bytesRehashed == 200_000)
        #expect(try restarted.prefix(idHash: "s", count: 10) == Array(bytes[..<10]))
    }

    /// Bytes past the durable offset (a request that died before its fsync, or one rolled back) are
    /// cut off: the next request appends where the client was told the upload stands.
    @Test func bytesPastTheDurableOffsetAreCutOff() throws {
        let directory = try TemporaryDirectory()
        let staging = try UploadStaging(directory: directory.path)
        let appender = try staging.append(idHash: "s", at: 0)
        try appender.write([1, 2, 3])
        _ = try appender.commit(isLast: false)
        let rolledBack = try staging.append(idHash: "s", at: 3)
        try rolledBack.write([9, 9, 9, 9])
        rolledBack.rollback()
        #expect(try staging.prefix(idHash: "s", count: 100) == [1, 2, 3])

        let died = try staging.append(idHash: "s", at: 3)
        try died.write([8, 8])
        // Never committed: the next request starts at 3 again.
        let next = try staging.append(idHash: "s", at: 3)
        try next.write([4])
        let done = try next.commit(isLast: true)
        #expect(try staging.prefix(idHash: "s", count: 100) == [1, 2, 3, 4])
        #expect(done.sha256 == BlobDigest(SHA256.hash(data: [1, 2, 3, 4] as [UInt8])).hex)
        // The request that was taken over writes nothing more, and cannot commit.
        #expect(throws: UploadStagingError.revoked) { try died.write([7]) }
        #expect(throws: UploadStagingError.revoked) { try died.commit(isLast: false) }
        #expect(try staging.prefix(idHash: "s", count: 100) == [1, 2, 3, 4])
    }

    /// A used upload's bytes go to the blob store under a second name; the session keeps its own
    /// until removed, and the generic staging sweep never takes them.
    @Test func aSealedCopyIsPlacedWhileTheSessionFileStaysUntilRemoved() async throws {
        let directory = try TemporaryDirectory()
        let blobs = try FileBlobStore(root: directory.path)
        let staging = try UploadStaging(directory: directory.path + "/tmp")
        let appender = try staging.append(idHash: "s", at: 0)
        try appender.write(Array("%PDF-1.4 hello".utf8))
        let done = try appender.commit(isLast: true)
        #expect(try blobs.sweepStaging(olderThan: -1).isEmpty, "the staging sweep took a resumable upload's file")

        let sealed = try staging.sealedCopy(idHash: "s", sha256: try #require(done.sha256), size: done.offset)
        try await blobs.place(sealed)
        try await #require(try await blobs.contains(sealed.digest))
        #expect(FileManager.default.fileExists(atPath: staging.path(idHash: "s")))
        try staging.remove(idHash: "s")
        #expect(!FileManager.default.fileExists(atPath: staging.path(idHash: "s")))
        #expect(try staging.sessionFiles().isEmpty)
        try await blobs.open(sealed.digest).close()
    }
}
