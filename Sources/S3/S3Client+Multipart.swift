import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A part uploaded, as CompleteMultipartUpload needs it back.
public struct S3UploadedPart: Sendable, Hashable {
    /// 1…10000, in upload order.
    public var partNumber: Int
    /// The part's entity tag, quotes included.
    public var etag: String
    /// The part's base64 SHA-256, as sent and checked.
    public var checksumSHA256: String?

    /// A part from its parts (for a caller that kept them elsewhere).
    public init(partNumber: Int, etag: String, checksumSHA256: String?) {
        self.partNumber = partNumber
        self.etag = etag
        self.checksumSHA256 = checksumSHA256
    }
}

extension S3Client {
    /// CreateMultipartUpload with SHA-256 checksums, so that each part is verified by S3 as it arrives.
    /// Returns the upload id. Parts are 5 MiB to 5 GiB, except the last.
    /// Not retried: a second attempt would leave an orphan upload (the sweep aborts those; see `listMultipartUploads`).
    public func createMultipartUpload(key: String, contentType: String? = nil) async throws -> String {
        var headers = [("x-amz-checksum-algorithm", "SHA256")]
        if let contentType { headers.append(("content-type", contentType)) }
        let call = Call(
            operation: "CreateMultipartUpload", method: .POST, key: key, query: [("uploads", "")], headers: headers, idempotent: false)
        let result = try await xmlBody(call, try await perform(call))
        guard let uploadId = result["UploadId"], !uploadId.isEmpty else {
            throw S3Error(kind: .invalidResponse, operation: call.operation, resource: key, message: "no UploadId in the answer")
        }
        return uploadId
    }

    /// UploadPart, its SHA-256 signed and sent as `x-amz-checksum-sha256`. Retried when the payload is replayable.
    public func uploadPart(key: String, uploadId: String, partNumber: Int, payload: S3Payload) async throws -> S3UploadedPart {
        let call = Call(
            operation: "UploadPart", method: .PUT, key: key, query: [("partNumber", String(partNumber)), ("uploadId", uploadId)],
            headers: payload.checksumHeaders, payload: payload, idempotent: true)
        let response = try await perform(call)
        try await drain(call, response)
        guard let etag = response.headers.first(name: "etag") else {
            throw S3Error(kind: .invalidResponse, operation: call.operation, resource: key, message: "no ETag for part \(partNumber)")
        }
        return S3UploadedPart(
            partNumber: partNumber, etag: etag,
            checksumSHA256: response.headers.first(name: "x-amz-checksum-sha256") ?? payload.sha256Base64)
    }

    /// CompleteMultipartUpload: the object appears under `key`, made of `parts` in part-number order.
    /// Not retried (a lost answer is best settled with `headObject`). A failure S3 reports inside a 200 is thrown.
    @discardableResult
    public func completeMultipartUpload(key: String, uploadId: String, parts: [S3UploadedPart]) async throws -> S3WriteResult {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.partNumber < $1.partNumber }) {
            xml += "<Part><PartNumber>\(part.partNumber)</PartNumber><ETag>\(part.etag.xmlEscaped)</ETag>"
            if let checksum = part.checksumSHA256 { xml += "<ChecksumSHA256>\(checksum.xmlEscaped)</ChecksumSHA256>" }
            xml += "</Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let call = Call(
            operation: "CompleteMultipartUpload", method: .POST, key: key, query: [("uploadId", uploadId)],
            headers: [("content-type", "application/xml")], payload: .bytes(Array(xml.utf8)), idempotent: false)
        let result = try await xmlBody(call, try await perform(call))
        return S3WriteResult(etag: result["ETag"], checksumSHA256: result["ChecksumSHA256"])
    }

    /// AbortMultipartUpload: its parts are freed. An upload already gone (404 NoSuchUpload) counts as aborted,
    /// so that a sweep may abort twice.
    public func abortMultipartUpload(key: String, uploadId: String) async throws {
        let call = Call(
            operation: "AbortMultipartUpload", method: .DELETE, key: key, query: [("uploadId", uploadId)], idempotent: true,
            accept: [404])
        try await drain(call, try await perform(call))
    }
}
