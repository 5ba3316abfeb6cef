import Foundation
import NIOCore
import Storage
import Synchronization
import Testing

@testable import DocIntake

/// Resumable uploads any server can continue: each request's bytes become a shared segment, and a
/// server that lacks some fetches them, checked, before it appends or hands the upload on. The
/// servers here are `UploadService`s with their own staging directories on one metadata store and
/// one segment store (in memory, so a test can damage or withhold it); the same code against S3 and
/// nginx runs in `ClusterTests`.
@Suite struct UploadSegmentTests {
    /// Segments in memory, with a switch that makes the store unavailable.
    final class MemorySegments: UploadSegmentStore {
        let objects = Mutex<[String: [UInt8]]>([:])
        let down = Atomic<Bool>(false)
        /// Set, the next `put` reports on `held` and waits for `release` before it stores anything.
        let holdNext = Atomic<Bool>(false)
        let held = AsyncStream<Void>.makeStream()
        let release = AsyncStream<Void>.makeStream()

        func put(idHash: String, file path: String, offset: Int64, length: Int64) async throws -> UploadSegment {
            guard !down.load(ordering: .relaxed) else { throw BlobStoreError.unavailable("test: the segment store is down") }
            if holdNext.exchange(false, ordering: .relaxed) {
                held.continuation.yield()
                for await _ in release.stream { break }
            }
            let handle = try #require(FileHandle(forReadingAtPath: path))
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(offset))
            let bytes = Array(try handle.read(upToCount: Int(length)) ?? Data())
            let key = "uploads/\(idHash)/\(offset)-\(UUID().uuidString)"
            objects.withLock { $0[key] = bytes }
            return UploadSegment(offset: offset, length: length, sha256: UploadServiceTests.hex(bytes), key: key)
        }

        func read(_ segment: UploadSegment, _ consume: (ByteBuffer) async throws -> Void) async throws {
            guard !down.load(ordering: .relaxed) else { throw BlobStoreError.unavailable("test: the segment store is down") }
            guard let bytes = objects.withLock({ $0[segment.key] }) else { throw BlobStoreError.unavailable("no such object") }
            for chunk in UploadServiceTests.chunks(bytes, chunk: 1000) { try await consume(chunk) }
        }

        func removeAll(idHash: String) async throws {
            guard !down.load(ordering: .relaxed) else { throw BlobStoreError.unavailable("test: the segment store is down") }
            objects.withLock { objects in objects = objects.filter { !$0.key.hasPrefix("uploads/\(idHash)/") } }
        }

        func keys(of idHash: String) -> [String] { objects.withLock { $0.keys.filter { $0.hasPrefix("uploads/\(idHash)/") }.sorted() } }
    }

    /// One metadata store and one segment store; each `server()` has a staging directory of its own.
    final class Cluster: Sendable {
        let world: UploadServiceTests.World
        let segments = MemorySegments()

        init() throws { world = try UploadServiceTests.World() }

        func server() throws -> UploadService {
            UploadService(
                metadata: world.metadata, staging: try UploadStaging(directory: world.path + "/node-" + UUID().uuidString),
                segments: segments, clock: { [world] in world.now.withLock { $0 } })
        }
    }

    /// Three requests on two servers (A, B, then A again), then a third server takes the upload
    /// for an application: each fetches exactly what it lacks, and the bytes are the file's.
    @Test func anUploadContinuesOnWhicheverServerEachRequestReaches() async throws {
        let cluster = try Cluster()
        let (a, b, c) = (try cluster.server(), try cluster.server(), try cluster.server())
        let bytes = try UploadServiceTests.fixture("notice-libreoffice-ja.pdf")
        let (id, _) = try await a.create(slot: "opening_notification", length: Int64(bytes.count), filename: "開設届.pdf")
        let third = bytes.count / 3

        var session = try await a.append(id.value, at: 0, body: UploadServiceTests.body(bytes[..<third]), checksum: nil)
        session = try await b.append(id.value, at: session.offset, body: UploadServiceTests.body(bytes[third..<(2 * third)]), checksum: nil)
        #expect(b.staging.bytesFetched == Int64(third), "B fetched what A received, nothing more")
        session = try await a.append(id.value, at: session.offset, body: UploadServiceTests.body(bytes[(2 * third)...]), checksum: nil)
        #expect(a.staging.bytesFetched == Int64(third), "A kept its own bytes and fetched only B's")
        #expect(session.state == .accepted && session.sha256 == UploadServiceTests.hex(bytes))
        #expect(session.segments.map(\.offset) == [0, Int64(third), Int64(2 * third)])
        #expect(session.segments.map(\.length).reduce(0, +) == Int64(bytes.count))
        #expect(a.staging.bytesRehashed == 0 && b.staging.bytesRehashed == 0, "fetched bytes were hashed as they came")

        let taken = try await c.take(id.value, slot: .openingNotification)
        #expect(c.staging.bytesFetched == Int64(bytes.count))
        #expect(try Data(contentsOf: URL(fileURLWithPath: taken.document.blob.path)) == Data(bytes))
        await c.settle([taken], committed: true)
        #expect(cluster.segments.keys(of: session.idHash).isEmpty, "a used upload's segments go once its application committed")
    }

    /// A segment whose bytes changed in the store is never appended to or handed on: the resume
    /// gets 409 (start again), and a complete upload with a damaged segment cannot be used.
    @Test func aDamagedSegmentIsNeverUsed() async throws {
        let cluster = try Cluster()
        let (a, b) = (try cluster.server(), try cluster.server())
        let bytes = try UploadServiceTests.fixture("scan-pillow.png")
        let (id, _) = try await a.create(slot: "opening_permit", length: Int64(bytes.count), filename: "permit.png")
        let session = try await a.append(id.value, at: 0, body: UploadServiceTests.body(bytes[..<4000]), checksum: nil)
        let key = try #require(session.segments.first?.key)
        cluster.segments.objects.withLock { $0[key]![100] ^= 0x01 }
        await #expect(throws: UploadError.bytesMissing) {
            _ = try await b.append(id.value, at: 4000, body: UploadServiceTests.body(bytes[4000...]), checksum: nil)
        }
        // A still holds the bytes it received, so it can finish; a server that must fetch cannot use it.
        let done = try await a.append(id.value, at: 4000, body: UploadServiceTests.body(bytes[4000...]), checksum: nil)
        #expect(done.state == .accepted)
        await #expect(throws: UploadError.unusable(.openingPermit)) { _ = try await b.take(id.value, slot: .openingPermit) }
        let fromA = try await a.take(id.value, slot: .openingPermit)
        #expect(try Data(contentsOf: URL(fileURLWithPath: fromA.document.blob.path)) == Data(bytes))
        await a.settle([fromA], committed: false)
    }

    /// A store that cannot take a request's segment leaves the offset where it was (503 for the
    /// client); once it is back, the request again from that offset completes the upload correctly.
    @Test func aStoreThatCannotTakeTheSegmentLeavesTheOffset() async throws {
        let cluster = try Cluster()
        let (a, b) = (try cluster.server(), try cluster.server())
        let bytes = try UploadServiceTests.fixture("notice-libreoffice-ja.pdf")
        let (id, _) = try await a.create(slot: "opening_notification", length: Int64(bytes.count), filename: "届.pdf")
        _ = try await a.append(id.value, at: 0, body: UploadServiceTests.body(bytes[..<3000]), checksum: nil)
        cluster.segments.down.store(true, ordering: .relaxed)
        // Other bytes than the file's: A's unshared copy of this request must not survive it.
        await #expect(throws: BlobStoreError.unavailable("test: the segment store is down")) {
            _ = try await a.append(id.value, at: 3000, body: UploadServiceTests.body([UInt8](repeating: 0x20, count: 1000)), checksum: nil)
        }
        #expect(try await a.session(id.value).offset == 3000)
        cluster.segments.down.store(false, ordering: .relaxed)
        let session = try await b.append(id.value, at: 3000, body: UploadServiceTests.body(bytes[3000..<5000]), checksum: nil)
        let done = try await a.append(id.value, at: session.offset, body: UploadServiceTests.body(bytes[5000...]), checksum: nil)
        #expect(done.state == .accepted && done.sha256 == UploadServiceTests.hex(bytes))
        #expect(try Data(contentsOf: URL(fileURLWithPath: a.staging.path(idHash: done.idHash))) == Data(bytes))
    }

    /// A request whose lease runs out while its segment is on the way to the store (a stalled
    /// line, a slow bucket) writes that segment after another request took over and moved the
    /// offset: its late segment is never listed, its offset never stored, and a third server
    /// continues from the bytes of the request that holds the offset. Interleaved step by step.
    @Test func aSegmentWrittenAfterItsLeaseRanOutIsNeverRead() async throws {
        let cluster = try Cluster()
        let (a, b, c) = (try cluster.server(), try cluster.server(), try cluster.server())
        let bytes = try UploadServiceTests.fixture("notice-libreoffice-ja.pdf")
        let (id, _) = try await a.create(slot: "opening_notification", length: Int64(bytes.count), filename: "届.pdf")
        _ = try await a.append(id.value, at: 0, body: UploadServiceTests.body(bytes[..<3000]), checksum: nil)

        // A's next request: other bytes than the file's, held on their way to the store.
        cluster.segments.holdNext.store(true, ordering: .relaxed)
        let stalled = Task {
            try await a.append(id.value, at: 3000, body: UploadServiceTests.body([UInt8](repeating: 0x20, count: 2000)), checksum: nil)
        }
        for await _ in cluster.segments.held.stream { break }
        cluster.world.advance(UploadService.defaultLease + 1)
        let taken = try await b.append(id.value, at: 3000, body: UploadServiceTests.body(bytes[3000..<4000]), checksum: nil)
        #expect(taken.offset == 4000)
        cluster.segments.release.continuation.yield()
        await #expect(throws: UploadError.leaseLost) { _ = try await stalled.value }

        let session = try await c.session(id.value)
        #expect(session.offset == 4000 && session.segments.map(\.offset) == [0, 3000])
        #expect(cluster.segments.keys(of: session.idHash).count == 3, "the late segment is in the store, unlisted")
        let done = try await c.append(id.value, at: 4000, body: UploadServiceTests.body(bytes[4000...]), checksum: nil)
        #expect(done.state == .accepted && done.sha256 == UploadServiceTests.hex(bytes))
        // A resumes too: its own file past the stored offset is not trusted.
        let fromA = try await a.take(id.value, slot: .openingNotification)
        #expect(try Data(contentsOf: URL(fileURLWithPath: fromA.document.blob.path)) == Data(bytes))
        await a.settle([fromA], committed: true)
        #expect(cluster.segments.keys(of: session.idHash).isEmpty, "the late segment goes with the others")
    }

    /// Termination and expiry delete every segment of a session, including one no row lists (left by
    /// a request that lost its lease), and never another session's.
    @Test func terminationAndExpiryDeleteEverySegment() async throws {
        let cluster = try Cluster()
        let a = try cluster.server()
        let bytes = try UploadServiceTests.fixture("scan-pillow.png")
        let (first, _) = try await a.create(slot: "opening_permit", length: Int64(bytes.count), filename: "a.png")
        let (second, _) = try await a.create(slot: "opening_permit", length: Int64(bytes.count), filename: "b.png")
        let one = try await a.append(first.value, at: 0, body: UploadServiceTests.body(bytes[..<2000]), checksum: nil)
        let two = try await a.append(second.value, at: 0, body: UploadServiceTests.body(bytes[..<2000]), checksum: nil)
        let stray = "uploads/\(one.idHash)/000000000002000-stray"
        cluster.segments.objects.withLock { $0[stray] = [1, 2, 3] }
        #expect(cluster.segments.keys(of: one.idHash).count == 2)

        try await a.terminate(first.value)
        #expect(cluster.segments.keys(of: one.idHash).isEmpty)
        #expect(cluster.segments.keys(of: two.idHash).count == 1)
        cluster.world.advance(UploadService.defaultLifetime + 1)
        #expect(try await a.sweepExpired() == 1)
        #expect(cluster.segments.keys(of: two.idHash).isEmpty)
    }
}
