import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What S3 says about a stored object.
public struct S3ObjectInfo: Sendable, Hashable {
    /// The object's size in bytes.
    public var size: Int64
    /// The entity tag, quotes included as S3 sends it.
    public var etag: String?
    /// When it was last written.
    public var lastModified: Date?
    /// The base64 SHA-256 S3 keeps for it, when it was stored with one (`x-amz-checksum-sha256`); for a
    /// multipart object, S3's checksum of the parts' checksums followed by `-N`.
    public var checksumSHA256: String?
}

/// An object being read: its metadata and its bytes as they arrive.
public struct S3Object: Sendable {
    /// The length of this answer's body: the whole object, or the requested range.
    public var contentLength: Int64
    /// The whole object's size (from Content-Range for a range, else `contentLength`).
    public var totalSize: Int64
    /// The entity tag.
    public var etag: String?
    /// When it was last written.
    public var lastModified: Date?
    /// The base64 SHA-256 S3 keeps for it (full reads only).
    public var checksumSHA256: String?
    /// The bytes; read them to the end or drop the value promptly.
    public var body: S3ByteStream
}

/// The outcome of a PutObject, CopyObject or CompleteMultipartUpload.
public struct S3WriteResult: Sendable, Hashable {
    /// The new object's entity tag.
    public var etag: String?
    /// The base64 SHA-256 S3 computed and checked, when it reports one.
    public var checksumSHA256: String?
}

extension S3Client {
    /// HeadBucket: succeeds when the bucket exists and these credentials may use it. A wrong key, secret or
    /// bucket throws an `S3Error` whose status (403, 404, 301) and code say which; use it to check at start.
    public func headBucket() async throws {
        let call = Call(operation: "HeadBucket", method: .HEAD, key: nil, idempotent: true)
        try await drain(call, try await perform(call))
    }

    /// CreateBucket for `configuration.bucket` (tests, and MinIO set-ups); outside us-east-1 the region is sent as
    /// its location constraint. A bucket these credentials already own is not an error.
    public func createBucket() async throws {
        var payload: S3Payload?
        if configuration.region != "us-east-1" {
            let xml =
                "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(configuration.region.xmlEscaped)</LocationConstraint></CreateBucketConfiguration>"
            payload = .bytes(Array(xml.utf8))
        }
        let call = Call(operation: "CreateBucket", method: .PUT, key: nil, payload: payload, idempotent: true)
        do {
            try await drain(call, try await perform(call))
        } catch let error as S3Error where error.code == "BucketAlreadyOwnedByYou" {
            return
        }
    }

    /// PutObject of a whole object, its SHA-256 signed and sent as `x-amz-checksum-sha256`.
    @discardableResult
    public func putObject(key: String, payload: S3Payload, contentType: String? = nil) async throws -> S3WriteResult {
        var headers = payload.checksumHeaders
        if let contentType { headers.append(("content-type", contentType)) }
        let call = Call(operation: "PutObject", method: .PUT, key: key, headers: headers, payload: payload, idempotent: true)
        let response = try await perform(call)
        try await drain(call, response)
        return S3WriteResult(
            etag: response.headers.first(name: "etag"), checksumSHA256: response.headers.first(name: "x-amz-checksum-sha256"))
    }

    /// GetObject, whole or a byte range (both ends included), streamed: memory stays constant whatever the size.
    /// A missing key throws `S3Error` with status 404 (`NoSuchKey`); a range past the end, 416 (`InvalidRange`).
    public func getObject(key: String, range: ClosedRange<Int64>? = nil) async throws -> S3Object {
        var headers: [(String, String)] = []
        if let range {
            headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound)"))
        } else {
            headers.append(("x-amz-checksum-mode", "ENABLED"))
        }
        let call = Call(operation: "GetObject", method: .GET, key: key, headers: headers, idempotent: true)
        let response = try await perform(call)
        let length = response.headers.first(name: "content-length").flatMap { Int64($0) } ?? -1
        var total = length
        if let contentRange = response.headers.first(name: "content-range"), let slash = contentRange.lastIndex(of: "/"),
            let size = Int64(contentRange[contentRange.index(after: slash)...])
        {
            total = size
        }
        return S3Object(
            contentLength: length, totalSize: total, etag: response.headers.first(name: "etag"),
            lastModified: response.headers.first(name: "last-modified").flatMap(S3Date.httpDate),
            checksumSHA256: response.headers.first(name: "x-amz-checksum-sha256"),
            body: S3ByteStream(body: response.body, operation: call.operation, resource: key))
    }

    /// HeadObject: the object's size, ETag, date and stored SHA-256, or nil when there is no such key.
    public func headObject(key: String) async throws -> S3ObjectInfo? {
        let call = Call(
            operation: "HeadObject", method: .HEAD, key: key, headers: [("x-amz-checksum-mode", "ENABLED")], idempotent: true,
            accept: [404])
        let response = try await perform(call)
        try await drain(call, response)
        if response.status == .notFound { return nil }
        return S3ObjectInfo(
            size: response.headers.first(name: "content-length").flatMap { Int64($0) } ?? 0,
            etag: response.headers.first(name: "etag"),
            lastModified: response.headers.first(name: "last-modified").flatMap(S3Date.httpDate),
            checksumSHA256: response.headers.first(name: "x-amz-checksum-sha256"))
    }

    /// DeleteObject; deleting a key that does not exist succeeds too, as in S3.
    public func deleteObject(key: String) async throws {
        let call = Call(operation: "DeleteObject", method: .DELETE, key: key, idempotent: true)
        try await drain(call, try await perform(call))
    }

    /// CopyObject within the bucket, done by the server (up to 5 GiB). With `checksumSHA256` S3 computes the
    /// copy's full-object SHA-256 and reports it, which also turns a multipart object's composite checksum into a
    /// plain one. A failure S3 reports inside a 200 is thrown like any other.
    @discardableResult
    public func copyObject(from sourceKey: String, to key: String, checksumSHA256: Bool = true) async throws -> S3WriteResult {
        var headers = [("x-amz-copy-source", SigV4Signer.encodePath("/" + configuration.bucket + "/" + sourceKey))]
        if checksumSHA256 { headers.append(("x-amz-checksum-algorithm", "SHA256")) }
        let call = Call(operation: "CopyObject", method: .PUT, key: key, headers: headers, idempotent: true)
        let result = try await xmlBody(call, try await perform(call))
        return S3WriteResult(etag: result["ETag"], checksumSHA256: result["ChecksumSHA256"])
    }
}

/// The date forms S3 uses: ISO 8601 in XML, RFC 1123 in headers.
enum S3Date {
    static func iso8601(_ text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
    }

    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
