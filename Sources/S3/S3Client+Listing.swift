import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// An object as a listing shows it.
public struct S3ListedObject: Sendable, Hashable {
    /// The key.
    public var key: String
    /// The size in bytes.
    public var size: Int64
    /// When it was last written.
    public var lastModified: Date?
    /// The entity tag, quotes included.
    public var etag: String?
}

/// One page of ListObjectsV2.
public struct S3ObjectListing: Sendable {
    /// The objects of this page, in key order.
    public var objects: [S3ListedObject]
    /// Pass it to the next call for the next page; nil on the last page.
    public var nextContinuationToken: String?
}

/// A multipart upload not yet completed or aborted.
public struct S3MultipartUpload: Sendable, Hashable {
    /// The key it will create.
    public var key: String
    /// Its id.
    public var uploadId: String
    /// When it was created.
    public var initiated: Date?
}

/// One page of ListMultipartUploads.
public struct S3MultipartUploadListing: Sendable {
    /// The uploads of this page.
    public var uploads: [S3MultipartUpload]
    /// The markers for the next page (pass both); nil on the last page.
    public var next: (keyMarker: String, uploadIdMarker: String)?
}

extension S3Client {
    /// One page of ListObjectsV2 under `prefix` (at most `maxKeys`, S3 caps it at 1000).
    public func listObjectsV2(prefix: String = "", continuationToken: String? = nil, maxKeys: Int? = nil) async throws -> S3ObjectListing {
        var query = [("list-type", "2"), ("prefix", prefix)]
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        let call = Call(operation: "ListObjectsV2", method: .GET, key: nil, query: query, idempotent: true)
        let result = try await xmlBody(call, try await perform(call))
        let objects = result.all("Contents").map { entry in
            S3ListedObject(
                key: entry["Key"] ?? "", size: entry["Size"].flatMap { Int64($0) } ?? 0,
                lastModified: entry["LastModified"].flatMap(S3Date.iso8601), etag: entry["ETag"])
        }
        let truncated = result["IsTruncated"] == "true"
        let token = result["NextContinuationToken"].flatMap { $0.isEmpty ? nil : $0 }
        if truncated, token == nil {
            throw S3Error(kind: .invalidResponse, operation: call.operation, resource: prefix, message: "truncated without a token")
        }
        return S3ObjectListing(objects: objects, nextContinuationToken: truncated ? token : nil)
    }

    /// Every object under `prefix`, page after page.
    public func listAllObjects(prefix: String = "", pageSize: Int? = nil) async throws -> [S3ListedObject] {
        var all: [S3ListedObject] = []
        var token: String?
        repeat {
            let page = try await listObjectsV2(prefix: prefix, continuationToken: token, maxKeys: pageSize)
            all += page.objects
            token = page.nextContinuationToken
        } while token != nil
        return all
    }

    /// One page of ListMultipartUploads under `prefix`.
    public func listMultipartUploads(
        prefix: String = "", keyMarker: String? = nil, uploadIdMarker: String? = nil
    ) async throws
        -> S3MultipartUploadListing
    {
        var query = [("uploads", ""), ("prefix", prefix)]
        if let keyMarker { query.append(("key-marker", keyMarker)) }
        if let uploadIdMarker { query.append(("upload-id-marker", uploadIdMarker)) }
        let call = Call(operation: "ListMultipartUploads", method: .GET, key: nil, query: query, idempotent: true)
        let result = try await xmlBody(call, try await perform(call))
        let uploads = result.all("Upload").map { entry in
            S3MultipartUpload(
                key: entry["Key"] ?? "", uploadId: entry["UploadId"] ?? "", initiated: entry["Initiated"].flatMap(S3Date.iso8601))
        }
        var next: (String, String)?
        if result["IsTruncated"] == "true", let key = result["NextKeyMarker"], let upload = result["NextUploadIdMarker"] {
            next = (key, upload)
        }
        return S3MultipartUploadListing(uploads: uploads, next: next)
    }
}
