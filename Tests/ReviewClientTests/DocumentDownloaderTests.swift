import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Synchronization
import Testing

@testable import ReviewClient

@Suite struct DocumentDownloaderTests {
    static let bytes = Checksums.sample(count: 10_000)
    static let filename = "開設許可書の写し.png"
    static let finalName = "20261126-7KQ2MX_opening_permit_開設許可書の写し.png"
    static let document = DocumentSummary(
        slot: "opening_permit", filename: filename, size: Int64(bytes.count), sha256: Checksums.sha256Hex(bytes), type: "png")
    static let partName = finalName + "." + Checksums.sha256Hex(bytes).prefix(16) + ".part"
    static let application = ApplicationDetail(
        id: "app-1", receiptNumber: "20261126-7KQ2MX", status: "under_review", fields: .init(), warnings: [],
        documents: [document], history: [], createdAt: Date(), updatedAt: Date())

    /// Collects the downloader's remarks.
    final class Notices: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    func download(_ transport: FakeTransport, into directory: TemporaryDirectory, notices: Notices = Notices()) async throws -> SavedDocument {
        let downloader = try DocumentDownloader(
            client: try transport.client(), directory: directory.path, showProgress: false,
            notice: { line in notices.lines.withLock { $0.append(line) } })
        return try await downloader.download(Self.document, of: Self.application)
    }

    @Test func aFreshDownloadIsVerifiedAndRenamedIntoPlace() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let transport = FakeTransport { _, _ in Canned.document(Self.bytes, filename: Self.filename) }
        let saved = try await download(transport, into: directory)
        #expect(directory.files == [Self.finalName])
        #expect(try directory.read(Self.finalName) == Self.bytes)
        #expect(saved.sha256 == Checksums.sha256Hex(Self.bytes))
        #expect(saved.path == directory.path + "/" + Self.finalName)
        #expect(saved.checksumLine == "\(saved.sha256)  \(saved.path)")
        #expect(saved.resumedFrom == 0)
        let request = try #require(transport.seen.first)
        #expect(request.url == "http://127.0.0.1:8080/api/v1/review/applications/app-1/documents/opening_permit")
        #expect(request.headers["Range"].isEmpty)
        #expect(request.headers["Authorization"] == ["Bearer dir_test-token"])
    }

    @Test func aFlippedByteLeavesNoFileAtAll() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let corrupted = {
            var bytes = Self.bytes
            bytes[5_000] ^= 0x01
            return bytes
        }()
        let transport = FakeTransport { _, _ in
            Canned.document(corrupted, filename: Self.filename, digest: Checksums.sha256(Self.bytes))
        }
        await #expect(
            throws: ReviewError.integrity(
                .digestMismatch(
                    file: directory.path + "/" + Self.finalName, expected: Checksums.sha256Hex(Self.bytes),
                    actual: Checksums.sha256Hex(corrupted)))
        ) {
            try await download(transport, into: directory)
        }
        #expect(directory.files.isEmpty)
    }

    @Test func aCutOffTransferKeepsOnlyThePartFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Cut off twice: once at 4000, and the retry's range again after 2000 more bytes.
        let transport = FakeTransport { request, _ in
            request.headers["Range"].isEmpty
                ? Canned.document(Self.bytes, filename: Self.filename, cutAfter: 4_000)
                : Canned.document(Self.bytes, from: 4_000, filename: Self.filename, cutAfter: 2_000)
        }
        await #expect(
            throws: ReviewError.integrity(
                .truncated(
                    file: directory.path + "/" + Self.finalName, partFile: directory.path + "/" + Self.partName,
                    received: 6_000, expected: 10_000))
        ) {
            try await download(transport, into: directory)
        }
        #expect(transport.seen.count == 2)
        #expect(directory.files == [Self.partName])
        #expect(try directory.read(Self.partName) == Array(Self.bytes[..<6_000]))
    }

    @Test func aCutOffTransferIsResumedOnceWithRangeAndCompletes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let transport = FakeTransport { request, _ in
            request.headers["Range"] == ["bytes=4000-"]
                ? Canned.document(Self.bytes, from: 4_000, filename: Self.filename)
                : Canned.document(Self.bytes, filename: Self.filename, cutAfter: 4_000)
        }
        let notices = Notices()
        let saved = try await download(transport, into: directory, notices: notices)
        #expect(saved.resumedFrom == 4_000)
        #expect(directory.files == [Self.finalName])
        #expect(try directory.read(Self.finalName) == Self.bytes)
        #expect(notices.all.contains { $0.contains("cut off at byte 4000") })
    }

    @Test func aBlobTheServerFoundCorruptMidTransferDeletesThePartFileAndNamesTheDocument() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // What the server does: it cuts the transfer before the last chunk, marks the blob, and
        // refuses the retry before any byte.
        let transport = FakeTransport { request, _ in
            request.headers["Range"].isEmpty
                ? Canned.document(Self.bytes, filename: Self.filename, cutAfter: 8_000)
                : Canned.problem(.internalServerError, code: "blob_corrupt", detail: "破損", detailEn: "corrupt")
        }
        await #expect(
            throws: ReviewError.integrity(
                .corruptOnServer(
                    file: directory.path + "/" + Self.finalName, document: "document opening_permit of application 20261126-7KQ2MX"))
        ) {
            try await download(transport, into: directory)
        }
        #expect(transport.seen.count == 2)
        #expect(directory.files.isEmpty)
    }

    @Test func aPartFileIsResumedWithARangeRequest() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Self.partName, Array(Self.bytes[..<4_000]))
        let transport = FakeTransport { request, _ in
            guard request.headers["Range"] == ["bytes=4000-"] else { throw TestFailure("no Range header") }
            guard request.headers["If-Range"] == ["\"\(Self.document.sha256)\""] else { throw TestFailure("no If-Range header") }
            return Canned.document(Self.bytes, from: 4_000, filename: Self.filename)
        }
        let notices = Notices()
        let saved = try await download(transport, into: directory, notices: notices)
        #expect(saved.resumedFrom == 4_000)
        #expect(directory.files == [Self.finalName])
        #expect(try directory.read(Self.finalName) == Self.bytes)
        #expect(notices.all.contains { $0.hasPrefix("resuming") && $0.contains("4000") })
    }

    @Test func aServerThatIgnoresTheRangeMakesTheDownloadStartOver() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Self.partName, Array(repeating: 0, count: 4_000))
        let transport = FakeTransport { _, _ in Canned.document(Self.bytes, filename: Self.filename) }
        let notices = Notices()
        let saved = try await download(transport, into: directory, notices: notices)
        #expect(saved.resumedFrom == 0)
        #expect(try directory.read(Self.finalName) == Self.bytes)
        #expect(directory.files == [Self.finalName])
        #expect(notices.all.contains { $0.contains("starting over") })
    }

    @Test func aPartFileThatIsNotAPrefixFailsTheDigestAndIsDeleted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Self.partName, Array(repeating: 0, count: 4_000))
        let transport = FakeTransport { _, _ in Canned.document(Self.bytes, from: 4_000, filename: Self.filename) }
        await #expect {
            try await download(transport, into: directory)
        } throws: { error in
            guard case ReviewError.integrity(.digestMismatch) = error else { return false }
            return true
        }
        #expect(directory.files.isEmpty)
    }

    @Test func aRangeTheServerCannotServeStartsOverWithoutOne() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Self.partName, Array(Self.bytes[..<4_000]))
        let transport = FakeTransport { _, index in
            index == 0
                ? Canned.problem(.rangeNotSatisfiable, code: "range_not_satisfiable", detail: "範囲", detailEn: "range")
                : Canned.document(Self.bytes, filename: Self.filename)
        }
        let saved = try await download(transport, into: directory)
        #expect(transport.seen.map { $0.headers["Range"] } == [["bytes=4000-"], []])
        #expect(saved.resumedFrom == 0)
        #expect(try directory.read(Self.finalName) == Self.bytes)
    }

    @Test func aPartFileAsLongAsTheDocumentIsNotResumed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Self.partName, Self.bytes + [0])
        let transport = FakeTransport { _, _ in Canned.document(Self.bytes, filename: Self.filename) }
        _ = try await download(transport, into: directory)
        #expect(transport.seen.first?.headers["Range"] == [])
        #expect(try directory.read(Self.finalName) == Self.bytes)
    }

    @Test func moreBytesThanDeclaredIsAnIntegrityFailure() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let transport = FakeTransport { _, _ in
            Canned.document(Self.bytes, filename: Self.filename, headers: [("Content-Length", "9000")])
        }
        await #expect(throws: ReviewError.integrity(.oversized(file: directory.path + "/" + Self.finalName, expected: 9_000))) {
            try await download(transport, into: directory)
        }
        #expect(directory.files.isEmpty)
    }

    @Test func aResponseWithoutADigestIsNotSaved() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let transport = FakeTransport { _, _ in
            Canned.document(Self.bytes, filename: Self.filename, headers: [("ETag", "W/\"1\""), ("Repr-Digest", "md5=:AAAA:")])
        }
        await #expect(throws: ReviewError.integrity(.missingDigest(file: Self.finalName))) {
            try await download(transport, into: directory)
        }
        #expect(directory.files.isEmpty)
    }

    @Test func theFinalNameFollowsContentDisposition() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let transport = FakeTransport { _, _ in Canned.document(Self.bytes, filename: "../新しい名前.png") }
        let saved = try await download(transport, into: directory)
        #expect(directory.files == ["20261126-7KQ2MX_opening_permit__新しい名前.png"])
        #expect(saved.path.hasSuffix("/20261126-7KQ2MX_opening_permit__新しい名前.png"))
    }

    @Test func errorStatusesNameTheirCauseAndLeaveNoFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cases: [(HTTPClientResponse, ExitCause)] = [
            (Canned.problem(.unauthorized, code: "unauthorized", detail: "トークン", detailEn: "token"), .authentication),
            (Canned.problem(.forbidden, code: "forbidden", detail: "申請者", detailEn: "applicant"), .authentication),
            (Canned.problem(.notFound, code: "not_found", detail: "見つかりません", detailEn: "No such document."), .serverError),
            (HTTPClientResponse(status: .internalServerError), .serverError),
        ]
        for (response, exit) in cases {
            let transport = FakeTransport { _, _ in response }
            await #expect {
                try await download(transport, into: directory)
            } throws: { error in
                (error as? ReviewError)?.exitCause == exit
            }
            #expect(directory.files.isEmpty)
        }
    }

    @Test func aPartFileInUseByAnotherRunIsLeftAlone() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Self.partName, Array(Self.bytes[..<4_000]))
        let other = open(directory.path + "/" + Self.partName, O_RDWR)
        defer { close(other) }
        #expect(flock(other, LOCK_EX | LOCK_NB) == 0)
        let transport = FakeTransport { _, _ in Canned.document(Self.bytes, filename: Self.filename) }
        await #expect {
            try await download(transport, into: directory)
        } throws: { error in
            (error as? ReviewError)?.exitCause == .localFile
        }
        #expect(transport.seen.isEmpty)
        #expect(try directory.read(Self.partName) == Array(Self.bytes[..<4_000]))
    }

    @Test func theOutputDirectoryMustExist() async throws {
        let transport = FakeTransport { _, _ in throw TestFailure("no request expected") }
        #expect(throws: ReviewError.fileSystem(operation: "use the output directory", path: "/nonexistent/dir", errno: ENOTDIR)) {
            try DocumentDownloader(client: try transport.client(), directory: "/nonexistent/dir", showProgress: false)
        }
    }

    @Test func aSlotWithoutACurrentDocumentIsNamed() async throws {
        let transport = FakeTransport { _, _ in throw TestFailure("no request expected") }
        let downloader = try DocumentDownloader(client: try transport.client(), directory: NSTemporaryDirectory(), showProgress: false)
        #expect(try downloader.documents(of: Self.application, slot: nil) == [Self.document])
        #expect(throws: ReviewError.noCurrentDocument(slot: "opening_notification", receiptNumber: "20261126-7KQ2MX")) {
            try downloader.documents(of: Self.application, slot: "opening_notification")
        }
    }
}

struct TestFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
