import Crypto
import Foundation
import NIOCore
import S3
import S3TestSupport
import Testing

/// Every operation against a real (emulated) S3: moto with signature checking on, a bucket per test.
@Suite struct S3ClientTests {
    /// Runs `body` with a client on a fresh bucket of the shared moto server.
    static func withBucket<T: Sendable>(_ body: (S3Client) async throws -> T) async throws -> T {
        let configuration = try await MotoServer.shared().freshBucket()
        return try await S3Client.withClient(configuration, body)
    }

    static func bytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    static func read(_ object: S3Object) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await chunk in object.body { out += chunk.readableBytesView }
        return out
    }

    static func base64SHA256(_ bytes: [UInt8]) -> String { Data(SHA256.hash(data: bytes)).base64EncodedString() }

    @Test func putHeadGetDelete() async throws {
        try await Self.withBucket { client in
            try await client.headBucket()
            let data = Self.bytes(70_000)
            let put = try await client.putObject(key: "a/b.bin", payload: .bytes(data))
            #expect(put.etag != nil)
            let info = try #require(try await client.headObject(key: "a/b.bin"))
            #expect(info.size == 70_000)
            #expect(info.etag == put.etag)
            #expect(info.checksumSHA256 == Self.base64SHA256(data))
            #expect(info.lastModified != nil)
            let object = try await client.getObject(key: "a/b.bin")
            #expect(object.contentLength == 70_000)
            #expect(object.totalSize == 70_000)
            #expect(try await Self.read(object) == data)
            try await client.deleteObject(key: "a/b.bin")
            #expect(try await client.headObject(key: "a/b.bin") == nil)
            // Deleting what is gone is not an error, as in S3.
            try await client.deleteObject(key: "a/b.bin")
        }
    }

    @Test func emptyObject() async throws {
        try await Self.withBucket { client in
            try await client.putObject(key: "empty", payload: .bytes([UInt8]()))
            #expect(try await client.headObject(key: "empty")?.size == 0)
            #expect(try await Self.read(try await client.getObject(key: "empty")).isEmpty)
        }
    }

    @Test func streamedPayload() async throws {
        try await Self.withBucket { client in
            let data = Self.bytes(300_000, seed: 7)
            let chunks = stride(from: 0, to: data.count, by: 65_536).map { ByteBuffer(bytes: data[$0..<min($0 + 65_536, data.count)]) }
            let payload = S3Payload.stream(length: Int64(data.count), sha256: SHA256.hash(data: data), replayable: true) {
                AsyncStream { continuation in
                    for chunk in chunks { continuation.yield(chunk) }
                    continuation.finish()
                }
            }
            try await client.putObject(key: "streamed", payload: payload)
            #expect(try await Self.read(try await client.getObject(key: "streamed")) == data)
        }
    }

    /// A stream shorter than its declared length is refused before S3 stores anything.
    @Test func streamShorterThanDeclared() async throws {
        try await Self.withBucket { client in
            let payload = S3Payload.stream(length: 10, sha256: SHA256.hash(data: [UInt8](repeating: 0, count: 10)), replayable: true) {
                AsyncStream { continuation in
                    continuation.yield(ByteBuffer(bytes: [0, 0, 0]))
                    continuation.finish()
                }
            }
            let error = try await #require(throws: S3Error.self) { try await client.putObject(key: "short", payload: payload) }
            #expect(error.kind == .invalidRequest)
            #expect(try await client.headObject(key: "short") == nil)
        }
    }

    @Test func rangeGet() async throws {
        try await Self.withBucket { client in
            let data = Self.bytes(10_000, seed: 3)
            try await client.putObject(key: "r", payload: .bytes(data))
            let object = try await client.getObject(key: "r", range: 100...1_099)
            #expect(object.contentLength == 1_000)
            #expect(object.totalSize == 10_000)
            #expect(try await Self.read(object) == Array(data[100...1_099]))
            let tail = try await client.getObject(key: "r", range: 9_990...20_000)
            #expect(try await Self.read(tail) == Array(data[9_990...]))
            let error = try await #require(throws: S3Error.self) { _ = try await client.getObject(key: "r", range: 10_000...10_010) }
            #expect(error.status == 416)
            #expect(error.code == "InvalidRange")
        }
    }

    @Test func missingKey() async throws {
        try await Self.withBucket { client in
            let error = try await #require(throws: S3Error.self) { _ = try await client.getObject(key: "nope") }
            #expect(error.kind == .service)
            #expect(error.status == 404)
            #expect(error.code == "NoSuchKey")
            #expect(error.isNotFound)
            #expect(!error.isRetryable)
            #expect(try await client.headObject(key: "nope") == nil)
        }
    }

    @Test func copyObject() async throws {
        try await Self.withBucket { client in
            let data = Self.bytes(123_456, seed: 5)
            try await client.putObject(key: "staging/x", payload: .bytes(data))
            let copied = try await client.copyObject(from: "staging/x", to: "sha256/ab/cd/x")
            #expect(copied.etag != nil)
            // The server computed the copy's SHA-256 from the bytes it holds.
            #expect(copied.checksumSHA256 == Self.base64SHA256(data))
            #expect(try await Self.read(try await client.getObject(key: "sha256/ab/cd/x")) == data)
            let error = try await #require(throws: S3Error.self) { try await client.copyObject(from: "staging/none", to: "y") }
            #expect(error.status == 404)
            #expect(error.code == "NoSuchKey")
        }
    }

    /// Keys as an applicant's file names make them: spaces, plus, percent, Japanese, reserved characters.
    @Test(arguments: ["dir/with space/日本語 ファイル.pdf", "plus+and&amp=eq?q#h", "percent%2Fslash", "tilde~_-.x", "a//b/./c"])
    func unusualKeys(key: String) async throws {
        try await Self.withBucket { client in
            let data = Self.bytes(1_000, seed: 11)
            try await client.putObject(key: key, payload: .bytes(data))
            #expect(try await client.headObject(key: key)?.size == 1_000)
            #expect(try await Self.read(try await client.getObject(key: key)) == data)
            #expect(try await client.listAllObjects().map(\.key) == [key])
            try await client.copyObject(from: key, to: key + " copy")
            #expect(try await client.headObject(key: key + " copy")?.size == 1_000)
            try await client.deleteObject(key: key)
            #expect(try await client.headObject(key: key) == nil)
        }
    }

    @Test func listObjectsV2Pages() async throws {
        try await Self.withBucket { client in
            let keys = (0..<7).map { "p/\($0)-\(UUID().uuidString)" }.sorted()
            for key in keys + ["q/outside", "p"] { try await client.putObject(key: key, payload: .bytes(Array(key.utf8))) }
            var pages = 0
            var seen: [S3ListedObject] = []
            var token: String?
            repeat {
                let page = try await client.listObjectsV2(prefix: "p/", continuationToken: token, maxKeys: 3)
                #expect(page.objects.count <= 3)
                seen += page.objects
                token = page.nextContinuationToken
                pages += 1
            } while token != nil
            #expect(pages == 3)
            #expect(seen.map(\.key) == keys)
            #expect(seen.map(\.size) == keys.map { Int64($0.utf8.count) })
            #expect(seen.allSatisfy { $0.lastModified != nil && $0.etag != nil })
            #expect(try await client.listAllObjects(prefix: "p/", pageSize: 2).map(\.key) == keys)
            #expect(try await client.listAllObjects(prefix: "none/").isEmpty)
        }
    }

    /// Two parts of 5 MiB and a short last one, each with its SHA-256; listed while open, gone once complete.
    @Test func multipartUpload() async throws {
        try await Self.withBucket { client in
            let sizes = [5 << 20, 5 << 20, 12_345]
            let parts = sizes.enumerated().map { Self.bytes($0.element, seed: UInt64($0.offset + 20)) }
            let uploadId = try await client.createMultipartUpload(key: "big")
            #expect(try await client.listMultipartUploads().uploads.map(\.uploadId) == [uploadId])
            var uploaded: [S3UploadedPart] = []
            for (index, part) in parts.enumerated() {
                let done = try await client.uploadPart(key: "big", uploadId: uploadId, partNumber: index + 1, payload: .bytes(part))
                #expect(done.checksumSHA256 == Self.base64SHA256(part))
                uploaded.append(done)
            }
            let upload = try #require(try await client.listMultipartUploads(prefix: "b").uploads.first)
            #expect(upload.key == "big")
            #expect(upload.initiated != nil)
            try await client.completeMultipartUpload(key: "big", uploadId: uploadId, parts: uploaded.reversed())
            #expect(try await client.listMultipartUploads().uploads.isEmpty)
            let whole = parts.flatMap { $0 }
            #expect(try await client.headObject(key: "big")?.size == Int64(whole.count))
            #expect(try await Self.read(try await client.getObject(key: "big")) == whole)
            // The server-side copy to the content address yields the same bytes, and S3 reports their full SHA-256
            // (the multipart object's own checksum is one of the parts' checksums): the content address, checked by S3.
            let copied = try await client.copyObject(from: "big", to: "sha256/big")
            #expect(copied.checksumSHA256 == Self.base64SHA256(whole))
            #expect(try await Self.read(try await client.getObject(key: "sha256/big", range: 0...99)) == Array(whole[0...99]))
        }
    }

    @Test func abortMultipartUpload() async throws {
        try await Self.withBucket { client in
            let uploadId = try await client.createMultipartUpload(key: "staging/abandoned")
            _ = try await client.uploadPart(key: "staging/abandoned", uploadId: uploadId, partNumber: 1, payload: .bytes(Self.bytes(100)))
            #expect(try await client.listMultipartUploads(prefix: "staging/").uploads.map(\.key) == ["staging/abandoned"])
            try await client.abortMultipartUpload(key: "staging/abandoned", uploadId: uploadId)
            #expect(try await client.listMultipartUploads(prefix: "staging/").uploads.isEmpty)
            // Aborting twice (a sweep that raced itself) is not an error.
            try await client.abortMultipartUpload(key: "staging/abandoned", uploadId: uploadId)
            #expect(try await client.headObject(key: "staging/abandoned") == nil)
            let error = try await #require(throws: S3Error.self) {
                let part = S3UploadedPart(partNumber: 1, etag: "\"0\"", checksumSHA256: nil)
                try await client.completeMultipartUpload(key: "staging/abandoned", uploadId: uploadId, parts: [part])
            }
            // S3 answers 404 NoSuchUpload; moto 5.2 crashes into a 500. Either way nothing is stored.
            #expect(error.kind == .service)
            #expect(error.code == "NoSuchUpload" || error.status == 500, "\(error)")
            #expect(try await client.headObject(key: "staging/abandoned") == nil)
        }
    }

    @Test func headBucketOfAMissingBucket() async throws {
        var configuration = try await MotoServer.shared().freshBucket()
        configuration.bucket = "docintake-missing-" + UUID().uuidString.lowercased()
        try await S3Client.withClient(configuration) { client in
            let error = try await #require(throws: S3Error.self) { try await client.headBucket() }
            #expect(error.kind == .service)
            #expect(error.status == 404)
            #expect(error.code == "NoSuchBucket")
            #expect("\(error)".contains("HeadBucket"))
            #expect(!error.isRetryable)
        }
    }

    /// Signature checking is really on: a wrong secret and an unknown key id are refused, and what the
    /// right one wrote stays as it was.
    @Test func wrongCredentialsAreRefused() async throws {
        let configuration = try await MotoServer.shared().freshBucket()
        try await S3Client.withClient(configuration) { try await $0.putObject(key: "k", payload: .bytes([1, 2, 3])) }

        var wrongSecret = configuration
        wrongSecret.credentials.secretAccessKey += "x"
        try await S3Client.withClient(wrongSecret) { client in
            let list = try await #require(throws: S3Error.self) { _ = try await client.listObjectsV2() }
            #expect(list.status == 403)
            #expect(list.code == "SignatureDoesNotMatch")
            let head = try await #require(throws: S3Error.self) { try await client.headBucket() }
            #expect(head.status == 403)
            let put = try await #require(throws: S3Error.self) { try await client.putObject(key: "k", payload: .bytes([9])) }
            #expect(put.code == "SignatureDoesNotMatch")
            #expect(!put.isRetryable)
        }
        var unknownKey = configuration
        unknownKey.credentials.accessKeyId = "AKIAUNKNOWNUNKNOWN00"
        try await S3Client.withClient(unknownKey) { client in
            let error = try await #require(throws: S3Error.self) { _ = try await client.listObjectsV2() }
            #expect(error.status == 403)
            #expect(error.code == "InvalidAccessKeyId")
        }
        let kept = try await S3Client.withClient(configuration) { client in try await Self.read(try await client.getObject(key: "k")) }
        #expect(kept == [1, 2, 3])
    }
}
