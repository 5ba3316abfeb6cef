import Foundation
import S3
import Synchronization

/// What `S3BlobStore.place` finishes with a server-side copy to the content address: a staging
/// object that holds the upload's bytes already.
protocol S3StagedObject: StagingTee {
    /// The staging object's key once it is complete, or nil when there is none (the store then
    /// puts the file whole).
    func complete(size: Int64) async throws -> String?
}

extension S3StagingUpload: S3StagedObject {}

/// A resumable upload's blob made from its segments, which are in the bucket already: a multipart
/// upload whose parts are server-side copies of the segments (UploadPartCopy), so the 100 MB are
/// not sent a second time. S3 requires every part but the last to hold at least 5 MiB, so uploads
/// in smaller requests are put whole instead (`init` returns nil).
final class S3SegmentComposition: S3StagedObject {
    let client: S3Client
    /// The staging object's key, `<prefix>staging/<ms>-<uuid>`, swept with the others if left behind.
    let key: String
    let segments: [UploadSegment]
    private let uploadId = Mutex<String?>(nil)

    /// S3's smallest part but the last.
    static let minimumPart: Int64 = 5 << 20

    /// A composition of `segments`, which must cover `0..<size` in order; nil when S3 cannot
    /// compose them (a part too small, or more than 10,000).
    init?(client: S3Client, key: String, segments: [UploadSegment], size: Int64) {
        guard !segments.isEmpty, segments.count <= 10_000, segments.last?.end == size else { return nil }
        var offset: Int64 = 0
        for (index, segment) in segments.enumerated() {
            guard segment.offset == offset, segment.length > 0 else { return nil }
            guard segment.length >= Self.minimumPart || index == segments.count - 1 else { return nil }
            offset = segment.end
        }
        self.client = client
        self.key = key
        self.segments = segments
    }

    func staged(byteCount: Int64) {}
    func sealed(byteCount: Int64) {}
    var failure: (any Error)? { nil }

    func complete(size: Int64) async throws -> String? {
        let id = try await client.createMultipartUpload(key: key)
        uploadId.withLock { $0 = id }
        var parts: [S3UploadedPart] = []
        for (index, segment) in segments.enumerated() {
            let checksum = BlobDigest(hex: segment.sha256).map { Data($0.bytes).base64EncodedString() }
            parts.append(
                try await client.uploadPartCopy(key: key, uploadId: id, partNumber: index + 1, sourceKey: segment.key, checksumSHA256: checksum))
        }
        try await client.completeMultipartUpload(key: key, uploadId: id, parts: parts)
        return key
    }

    func abandon() {
        guard let id = uploadId.withLock({ $0 }) else { return }
        let (client, key) = (client, key)
        // Best effort, as for S3StagingUpload: what is left is aborted by the retention sweep.
        Task {
            try? await client.abortMultipartUpload(key: key, uploadId: id)
            try? await client.deleteObject(key: key)
        }
    }
}
