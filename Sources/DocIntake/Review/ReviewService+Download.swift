import Foundation
import Storage

/// A document opened for a reviewer: its record, the byte range to send, and a reader that
/// verifies the whole blob before handing out the last chunk.
struct DocumentDownload: Sendable {
    let document: DocumentRecord
    let digest: BlobDigest
    /// First byte to send; > 0 for a resumed download.
    let offset: Int64
    let reader: any BlobReader
    let metadata: any MetadataStore
    let clock: @Sendable () -> Date

    /// The next chunk. Throws `BlobStoreError.corrupt` instead of the last chunk when the blob no
    /// longer matches its digest, and marks the blob so that every later request is refused
    /// before its first byte rather than cut off (a resuming client cannot tell a cut from a drop).
    func next() async throws -> [UInt8]? {
        do {
            return try await reader.next()
        } catch BlobStoreError.corrupt(let digest) {
            try? await metadata.markBlobCorrupt(sha256: digest.hex, at: clock())
            throw BlobStoreError.corrupt(digest)
        }
    }
}

extension ReviewService {
    /// Opens the current document of `slot` from the start of `range` on, and audits the read
    /// (not for a HEAD request, `audited: false`, which sends no byte of it). A resuming client
    /// names the version it has (`ifRange`, the ETag); if the slot's document has changed since,
    /// the whole new document is sent instead of the tail of a different one.
    func download(
        _ handle: String, slot: DocumentSlot, range: RequestedRange?, ifRange: String?, by reviewer: ReviewerRecord,
        audited: Bool = true
    ) async throws -> DocumentDownload {
        let id = try await resolve(handle)
        let (blobs, metadata, now) = (self.blobs, self.metadata, clock())
        do {
            guard try await metadata.application(id: id) != nil,
                let document = try await metadata.currentDocument(applicationId: id, slot: slot),
                let digest = BlobDigest(hex: document.blobSha256)
            else { throw ReviewRefusal.notFound }
            // Never the bytes, not even a HEAD's length of them: the audit log has what the rescan found.
            guard document.quarantinedAt == nil else { throw ReviewRefusal.quarantined(slot) }
            let range = ifRange.map { $0 == "\"\(digest.hex)\"" } == false ? nil : range
            if let range, !range.isSatisfiable(size: document.size) { throw ReviewRefusal.rangeNotSatisfiable(size: document.size) }
            let offset = range?.offset ?? 0
            guard try await metadata.blobCorruption(sha256: digest.hex) == nil else { throw BlobStoreError.corrupt(digest) }
            let reader = try await blobs.open(digest)
            // A blob of the wrong length is corrupt; finding it now keeps Content-Length honest.
            guard reader.size == document.size else {
                try await metadata.markBlobCorrupt(sha256: digest.hex, at: now)
                throw BlobStoreError.corrupt(digest)
            }
            try await reader.skip(offset)
            if audited {
                try await metadata.appendAudit(
                    AuditEntry(
                        applicationId: id, at: now, actor: "reviewer:\(reviewer.name)", action: "download",
                        detail: AuditDetail(slot: slot.rawValue, sha256: digest.hex, offset: offset).json()))
            }
            return DocumentDownload(document: document, digest: digest, offset: offset, reader: reader, metadata: metadata, clock: clock)
        }
    }
}
