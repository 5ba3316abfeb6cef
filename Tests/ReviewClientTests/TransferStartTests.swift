import NIOHTTP1
import Testing

@testable import ReviewClient

struct TransferStartTests {
    static let hex = Checksums.sha256Hex(Array("x".utf8))
    static let digestHeaders: HTTPHeaders = ["ETag": "\"\(hex)\""]

    static func headers(_ extra: [(String, String)]) -> HTTPHeaders {
        var headers = digestHeaders
        for (name, value) in extra { headers.add(name: name, value: value) }
        return headers
    }

    @Test func a200IsTheWholeDocument() async throws {
        let start = try TransferStart.classify(status: .ok, headers: Self.headers([("Content-Length", "10")]), requestedOffset: 4, file: "f")
        #expect(start == .whole(size: 10, digest: try ExpectedDigest.from(Self.digestHeaders, file: "f")))
    }

    @Test func a206ContinuesExactlyWhereThePartFileEnds() async throws {
        let start = try TransferStart.classify(
            status: .partialContent, headers: Self.headers([("Content-Range", "bytes 4-9/10")]), requestedOffset: 4, file: "f")
        #expect(start == .resume(offset: 4, size: 10, digest: try ExpectedDigest.from(Self.digestHeaders, file: "f")))
    }

    @Test(arguments: ["bytes 5-9/10", "bytes 4-8/10", "nonsense"])
    func a206ForAnotherRangeIsRefused(range: String) {
        #expect(throws: ReviewError.self) {
            try TransferStart.classify(status: .partialContent, headers: Self.headers([("Content-Range", range)]), requestedOffset: 4, file: "f")
        }
    }

    @Test func a206ToARequestWithoutRangeIsRefused() {
        #expect(throws: ReviewError.self) {
            try TransferStart.classify(
                status: .partialContent, headers: Self.headers([("Content-Range", "bytes 0-9/10")]), requestedOffset: 0, file: "f")
        }
    }

    @Test func a416MeansStartOverOnlyWhenARangeWasAsked() async throws {
        #expect(try TransferStart.classify(status: .rangeNotSatisfiable, headers: [:], requestedOffset: 4, file: "f") == .rangeNotSatisfiable)
        #expect(try TransferStart.classify(status: .rangeNotSatisfiable, headers: [:], requestedOffset: 0, file: "f") == .failure)
    }

    @Test func otherStatusesAreFailures() async throws {
        for status in [HTTPResponseStatus.unauthorized, .forbidden, .notFound, .internalServerError, .found] {
            #expect(try TransferStart.classify(status: status, headers: Self.digestHeaders, requestedOffset: 0, file: "f") == .failure)
        }
    }
}
