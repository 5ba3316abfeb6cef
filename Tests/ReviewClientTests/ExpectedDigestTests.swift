import NIOHTTP1
import Testing

@testable import ReviewClient

struct ExpectedDigestTests {
    static let document = Array("hello, reviewer".utf8)
    static let digest = Checksums.sha256(document)

    @Test func reprDigestIsDecoded() {
        #expect(ExpectedDigest.reprDigestSHA256("sha-256=:\(Checksums.base64(Self.digest)):") == Self.digest)
    }

    @Test func reprDigestFindsSHA256AmongOtherAlgorithmsAndParameters() {
        let other = Checksums.base64(Array(repeating: 7, count: 64))
        #expect(ExpectedDigest.reprDigestSHA256("sha-512=:\(other):, sha-256=:\(Checksums.base64(Self.digest)):;p=1") == Self.digest)
        #expect(ExpectedDigest.reprDigestSHA256("sha-512=:\(other):") == nil)
    }

    @Test func malformedReprDigestsAreRefused() {
        #expect(ExpectedDigest.reprDigestSHA256("sha-256=:\(Checksums.base64(Array(Self.digest.dropLast()))):") == nil)
        #expect(ExpectedDigest.reprDigestSHA256("sha-256=\(Checksums.base64(Self.digest))") == nil)
        #expect(ExpectedDigest.reprDigestSHA256("sha-256=:not base64!:") == nil)
        #expect(ExpectedDigest.reprDigestSHA256("") == nil)
    }

    @Test func aStrongHexETagIsADigest() {
        #expect(ExpectedDigest.etagSHA256("\"\(Checksums.sha256Hex(Self.document))\"") == Self.digest)
        #expect(ExpectedDigest.etagSHA256("\"\(Checksums.sha256Hex(Self.document).uppercased())\"") == Self.digest)
    }

    @Test func weakShortOrNonHexETagsAreNot() {
        let hex = Checksums.sha256Hex(Self.document)
        #expect(ExpectedDigest.etagSHA256("W/\"\(hex)\"") == nil)
        #expect(ExpectedDigest.etagSHA256(hex) == nil)
        #expect(ExpectedDigest.etagSHA256("\"\(hex.dropLast())\"") == nil)
        #expect(ExpectedDigest.etagSHA256("\"+f" + hex.dropFirst(3) + "\"") == nil)
        #expect(ExpectedDigest.etagSHA256("\"\(String(repeating: "g", count: 64))\"") == nil)
    }

    @Test func eitherHeaderSufficesAndBothMustAgree() async throws {
        let hex = Checksums.sha256Hex(Self.document)
        let repr = "sha-256=:\(Checksums.base64(Self.digest)):"
        #expect(try ExpectedDigest.from(["Repr-Digest": repr, "ETag": "\"\(hex)\""], file: "f").hex == hex)
        #expect(try ExpectedDigest.from(["Repr-Digest": repr], file: "f").hex == hex)
        #expect(try ExpectedDigest.from(["ETag": "\"\(hex)\""], file: "f").hex == hex)

        let other = Checksums.sha256Hex(Array("something else".utf8))
        #expect(throws: ReviewError.integrity(.conflictingDigests(file: "f", reprDigest: hex, etag: other))) {
            try ExpectedDigest.from(["Repr-Digest": repr, "ETag": "\"\(other)\""], file: "f")
        }
        #expect(throws: ReviewError.integrity(.missingDigest(file: "f"))) {
            try ExpectedDigest.from(["ETag": "W/\"\(hex)\""], file: "f")
        }
    }
}
