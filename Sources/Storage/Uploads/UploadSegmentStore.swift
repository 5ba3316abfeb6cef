import NIOCore

/// Where resumable uploads keep their bytes for every server behind a balancer: each request's
/// durable bytes become one immutable segment, which any server reads back to continue the upload
/// or to hand it to an application. The embedded default has none (a session's bytes stay with the
/// server that received them); with S3 it is the bucket (`S3UploadSegments`).
public protocol UploadSegmentStore: Sendable {
    /// Stores bytes `offset..<offset+length` of the file at `path`, which are the session's bytes at
    /// that offset, as a new segment; returns it with its SHA-256.
    func put(idHash: String, file path: String, offset: Int64, length: Int64) async throws -> UploadSegment

    /// Hands a segment's bytes to `consume` in order. The caller checks them against `segment.sha256`.
    func read(_ segment: UploadSegment, _ consume: (ByteBuffer) async throws -> Void) async throws

    /// Deletes every segment of a session, listed or not (a request that lost its lease may have
    /// left one no row names).
    func removeAll(idHash: String) async throws
}
