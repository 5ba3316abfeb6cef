import Crypto
import Foundation
import NIOCore
import Storage
import Synchronization
import Testing

@testable import DocIntake

/// The protocol-neutral upload layer on the embedded stores, with the real fixtures: resumes across
/// requests and across processes, the checks as bytes arrive, the lease, expiry.
@Suite struct UploadServiceTests {
    /// A data directory with its metadata and staging; `clock` lets a test move time.
    final class World: Sendable {
        let path: String
        let metadata: SQLiteMetadataStore
        /// Whole seconds, as the store keeps times to the millisecond.
        let now = Mutex(Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded()))

        init() throws {
            path = NSTemporaryDirectory() + "docintake-uploads-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: path + "/tmp", withIntermediateDirectories: true)
            metadata = try SQLiteMetadataStore(path: path + "/meta.sqlite")
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }

        /// A service as one process sees it: a fresh `UploadStaging` has no hash checkpoints.
        func service(maxFileSize: Int64 = 100 << 20, lease: TimeInterval = 15) throws -> UploadService {
            UploadService(
                metadata: metadata, staging: try UploadStaging(directory: path + "/tmp"), limits: IntakeLimits(maxFileSize: maxFileSize),
                lease: lease, clock: { [self] in self.now.withLock { $0 } })
        }

        func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
    }

    static func body(_ bytes: some Collection<UInt8>, chunk: Int = 64 * 1024) -> TestBody {
        TestBody(chunks: chunks(bytes, chunk: chunk))
    }

    static func chunks(_ bytes: some Collection<UInt8>, chunk: Int = 64 * 1024) -> [ByteBuffer] {
        let bytes = Array(bytes)
        return stride(from: 0, to: bytes.count, by: chunk).map { ByteBuffer(bytes: bytes[$0..<min($0 + chunk, bytes.count)]) }
    }

    static func hex(_ bytes: some Collection<UInt8>) -> String {
        SHA256.hash(data: Array(bytes)).map { String(format: "%02x", $0) }.joined()
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name))))
    }

    /// A real PDF in three requests, the last by a new process (no hash checkpoint): accepted, with
    /// the SHA-256 of the whole file, and the bytes are exactly the file's.
    @Test func aDocumentSentInPiecesAcrossProcessesIsAcceptedWithItsDigest() async throws {
        let world = try World()
        let bytes = try Self.fixture("notice-libreoffice-ja.pdf")
        let first = try world.service()
        let (id, created) = try await first.create(slot: "opening_notification", length: Int64(bytes.count), filename: "開設届.pdf")
        #expect(created.state == .receiving && created.offset == 0)
        #expect(created.idHash != id.value && created.idHash == AccessToken.hash(id.value), "the id itself was stored")

        let third = bytes.count / 3
        var session = try await first.append(id.value, at: 0, body: Self.body(bytes[..<third]), checksum: nil)
        #expect(session.offset == Int64(third) && session.state == .receiving)
        session = try await first.append(id.value, at: session.offset, body: Self.body(bytes[third..<(2 * third)]), checksum: nil)
        let restarted = try world.service()
        session = try await restarted.append(id.value, at: session.offset, body: Self.body(bytes[(2 * third)...]), checksum: nil)
        #expect(session.state == .accepted)
        #expect(session.detectedType == "pdf")
        #expect(session.sha256 == Self.hex(bytes))
        #expect(restarted.staging.bytesRehashed == Int64(2 * third))
        #expect(first.staging.bytesRehashed == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: restarted.staging.path(idHash: session.idHash))) == Data(bytes))
        #expect(try await restarted.session(id.value) == session)
    }

    /// A request cut off mid-way keeps what arrived (fsynced) and the next one resumes there.
    @Test func aRequestCutOffKeepsWhatArrivedAndTheNextResumesThere() async throws {
        let world = try World()
        let service = try world.service()
        let bytes = try Self.fixture("scan-pillow.png")
        let (id, _) = try await service.create(slot: "opening_permit", length: Int64(bytes.count), filename: "permit.png")
        let arrived = Self.chunks(bytes[..<1000], chunk: 500)
        await #expect(throws: CutOff.self) {
            _ = try await service.append(id.value, at: 0, body: TestBody(chunks: arrived, cutOffAtEnd: true), checksum: nil)
        }
        #expect(try await service.session(id.value).offset == 1000)
        await #expect(throws: UploadError.offsetMismatch(expected: 1000)) {
            _ = try await service.append(id.value, at: 0, body: Self.body(bytes), checksum: nil)
        }
        let done = try await service.append(id.value, at: 1000, body: Self.body(bytes[1000...]), checksum: nil)
        #expect(done.state == .accepted && done.detectedType == "png")
        #expect(done.sha256 == Self.hex(bytes))
    }

    /// A session's bytes stay with the server that received them: another server (its own staging)
    /// refuses to continue with a typed 409, not a 500, and the first one can still finish.
    @Test func anotherServerWithoutTheBytesRefusesToContinue() async throws {
        let world = try World()
        let first = try world.service()
        let otherStaging = NSTemporaryDirectory() + "docintake-uploads-other-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: otherStaging) }
        let other = UploadService(metadata: world.metadata, staging: try UploadStaging(directory: otherStaging), clock: first.clock)
        let bytes = try Self.fixture("scan-pillow.png")
        let (id, _) = try await first.create(slot: "opening_permit", length: Int64(bytes.count), filename: "permit.png")
        _ = try await first.append(id.value, at: 0, body: Self.body(bytes[..<1000]), checksum: nil)
        await #expect(throws: UploadError.bytesMissing) {
            _ = try await other.append(id.value, at: 1000, body: Self.body(bytes[1000...]), checksum: nil)
        }
        let done = try await first.append(id.value, at: 1000, body: Self.body(bytes[1000...]), checksum: nil)
        #expect(done.state == .accepted)
        // Nor can a form on the other server use it: the applicant is told to attach the file again.
        await #expect(throws: UploadError.unusable(.openingPermit)) { _ = try await other.take(id.value, slot: .openingPermit) }
        #expect(try await first.session(id.value).state == .accepted, "given back for the server that holds it")
    }

    /// An executable named .pdf is refused by its first bytes: the session is refused, its bytes are
    /// gone, and every later request gets the same refusal.
    @Test func aDisguisedFileIsRefusedAtItsFirstRequest() async throws {
        let world = try World()
        let service = try world.service()
        let elf = Array(try Data(contentsOf: URL(fileURLWithPath: "/usr/bin/true")))
        let (id, created) = try await service.create(slot: "opening_permit", length: Int64(elf.count), filename: "permit.pdf")
        let firstRequest = Array(elf.prefix(4096))
        do {
            _ = try await service.append(id.value, at: 0, body: Self.body(firstRequest), checksum: nil)
            Issue.record("an ELF executable was taken as a document")
        } catch UploadError.refused(let slot, let code, let message, let messageEn) {
            #expect(slot == .openingPermit)
            #expect(code == "type_not_allowed")
            #expect(message.contains("開設許可書の写し") && !messageEn.isEmpty)
        }
        let stored = try #require(try await world.metadata.upload(idHash: created.idHash))
        #expect(stored.state == .refused && stored.offset == 0)
        #expect(!FileManager.default.fileExists(atPath: service.staging.path(idHash: created.idHash)))
        await #expect(throws: UploadError.self) {
            _ = try await service.append(id.value, at: 0, body: Self.body(firstRequest), checksum: nil)
        }
    }

    /// A request whose bytes do not match its checksum keeps none of them; a matching one counts.
    @Test func aChecksumMismatchKeepsNothingOfTheRequest() async throws {
        let world = try World()
        let service = try world.service()
        let bytes = try Self.fixture("tiny-reportlab.pdf")
        let (id, _) = try await service.create(slot: "opening_notification", length: Int64(bytes.count), filename: "a.pdf")
        let half = bytes.count / 2
        let wrong = try #require(UploadChecksum(header: "sha1 " + Data(Insecure.SHA1.hash(data: bytes[..<(half - 1)])).base64EncodedString()))
        await #expect(throws: UploadError.checksumMismatch) {
            _ = try await service.append(id.value, at: 0, body: Self.body(bytes[..<half]), checksum: wrong)
        }
        #expect(try await service.session(id.value).offset == 0)
        let right = try #require(UploadChecksum(header: "sha256 " + Data(SHA256.hash(data: bytes[..<half])).base64EncodedString()))
        #expect(try await service.append(id.value, at: 0, body: Self.body(bytes[..<half]), checksum: right).offset == Int64(half))
        let done = try await service.append(id.value, at: Int64(half), body: Self.body(bytes[half...]), checksum: nil)
        #expect(done.state == .accepted)
    }

    /// Over the cap is refused at creation; more bytes than declared are refused and not kept.
    @Test func theCapAndTheDeclaredLengthHold() async throws {
        let world = try World()
        let service = try world.service(maxFileSize: 1000)
        await #expect(throws: UploadError.tooLarge(limit: 1000)) {
            _ = try await service.create(slot: "opening_permit", length: 1001, filename: "a.pdf")
        }
        await #expect(throws: UploadError.invalidSlot("passport")) {
            _ = try await service.create(slot: "passport", length: 10, filename: "a.pdf")
        }
        await #expect(throws: UploadError.invalidLength) { _ = try await service.create(slot: "opening_permit", length: 0, filename: "a.pdf") }
        let (id, _) = try await service.create(slot: "opening_permit", length: 1000, filename: "a.pdf")
        let pdf = Array("%PDF-1.4\n".utf8) + [UInt8](repeating: 0x20, count: 1000)
        await #expect(throws: UploadError.beyondLength(length: 1000)) {
            _ = try await service.append(id.value, at: 0, body: Self.body(pdf, chunk: 100), checksum: nil)
        }
        #expect(try await service.session(id.value).offset == 0)
    }

    /// One request at a time: a second waits for the first's lease; a stalled one is taken over once
    /// its lease runs out, and its late bytes are refused.
    @Test func aStalledRequestIsTakenOverAfterItsLease() async throws {
        let world = try World()
        let service = try world.service(lease: 10)
        let bytes = try Self.fixture("tiny-reportlab.pdf")
        let (id, _) = try await service.create(slot: "opening_notification", length: Int64(bytes.count), filename: "a.pdf")
        let stalled = StalledBody(first: Array(bytes[..<100]))
        let first = Task { try await service.append(id.value, at: 0, body: stalled, checksum: nil) }
        await stalled.delivered.wait()
        await #expect(throws: UploadError.locked(retryAfter: 10)) {
            _ = try await service.append(id.value, at: 0, body: Self.body(bytes), checksum: nil)
        }
        world.advance(11)
        let done = try await service.append(id.value, at: 0, body: Self.body(bytes), checksum: nil)
        #expect(done.state == .accepted)
        stalled.resume(with: Array(bytes[100...]))
        await #expect(throws: UploadError.leaseLost) { _ = try await first.value }
        #expect(try await service.session(id.value) == done)
    }

    /// An expired session is gone for every request, and the sweeper deletes it and its bytes.
    @Test func anExpiredSessionIsGoneAndSwept() async throws {
        let world = try World()
        let service = try world.service()
        let bytes = try Self.fixture("tiny-reportlab.pdf")
        let (id, created) = try await service.create(slot: "opening_notification", length: Int64(bytes.count), filename: "a.pdf")
        _ = try await service.append(id.value, at: 0, body: Self.body(bytes[..<10]), checksum: nil)
        let (kept, _) = try await service.create(slot: "opening_permit", length: 10, filename: "b.pdf")
        world.advance(UploadService.defaultLifetime - 1)
        #expect(try await service.sweepExpired() == 0)
        world.advance(1)
        await #expect(throws: UploadError.expired) { _ = try await service.session(id.value) }
        await #expect(throws: UploadError.expired) {
            _ = try await service.append(id.value, at: 10, body: Self.body(bytes[10...]), checksum: nil)
        }
        #expect(try await service.sweepExpired() == 2)
        #expect(try await world.metadata.upload(idHash: created.idHash) == nil)
        #expect(!FileManager.default.fileExists(atPath: service.staging.path(idHash: created.idHash)))
        await #expect(throws: UploadError.notFound) { _ = try await service.session(kept.value) }
    }
}

struct CutOff: Error {}

/// A request body that delivers `chunks`, then ends, or fails as a dropped connection does.
struct TestBody: AsyncSequence, Sendable {
    let chunks: [ByteBuffer]
    var cutOffAtEnd = false

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: [ByteBuffer]
        let cutOffAtEnd: Bool
        mutating func next() async throws -> ByteBuffer? {
            if remaining.isEmpty {
                if cutOffAtEnd { throw CutOff() }
                return nil
            }
            return remaining.removeFirst()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: chunks, cutOffAtEnd: cutOffAtEnd) }
}

/// A body that delivers its first bytes, then stalls until the test resumes it (a half-open connection).
final class StalledBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let delivered = Signal()
    private let stream: AsyncStream<ByteBuffer>
    private let continuation: AsyncStream<ByteBuffer>.Continuation

    init(first: [UInt8]) {
        (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        continuation.yield(ByteBuffer(bytes: first))
    }

    func resume(with rest: [UInt8]) {
        continuation.yield(ByteBuffer(bytes: rest))
        continuation.finish()
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<ByteBuffer>.Iterator
        let delivered: Signal
        var count = 0
        mutating func next() async throws -> ByteBuffer? {
            // The first chunk has been written by the time the second is asked for.
            if count == 1 { delivered.fire() }
            count += 1
            return await base.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: stream.makeAsyncIterator(), delivered: delivered) }
}

/// Fires once; waiters return as soon as it has.
final class Signal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func fire() {
        let waiters = state.withLock { state in
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let fired = state.withLock { state in
                if !state.fired { state.waiters.append(continuation) }
                return state.fired
            }
            if fired { continuation.resume() }
        }
    }
}
