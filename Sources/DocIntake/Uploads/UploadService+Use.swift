import Foundation
import Metrics
import Scanner
import Storage

extension UploadService {
    /// The form field that names an upload instead of carrying `slot`'s file, e.g.
    /// `opening_notification_upload`.
    static func fieldName(_ slot: DocumentSlot) -> String { slot.rawValue + "_upload" }

    /// Takes the upload `id` for `slot` on behalf of one request: it must be accepted, unexpired and
    /// for that slot, and it is marked used at once, so that a second request naming it is refused.
    /// Its bytes come as a staged document under a second name (`UploadStaging.sealedCopy`); the
    /// request ends with `settle(_:committed:)`.
    func take(_ id: String, slot: DocumentSlot) async throws -> TakenUpload {
        guard UploadId.isWellFormed(id[...]) else { throw UploadError.unusable(slot) }
        let idHash = UploadId(value: id).hash
        guard let session = try await metadata.useUpload(idHash: idHash, slot: slot, now: clock()),
            let sha256 = session.sha256, let type = session.detectedType.flatMap(DocumentType.init(rawValue:))
        else { throw UploadError.unusable(slot) }
        do {
            if let segments {
                // The bytes may have arrived at other servers: fetched and checked against the verdict's hash.
                let held: String
                do {
                    held = try await staging.restore(idHash: idHash, upTo: session.length, segments: session.segments, from: segments)
                } catch UploadStagingError.corrupt, UploadStagingError.bytesMissing {
                    held = ""
                }
                guard held == sha256 else {
                    Self.logger.error("an accepted upload's bytes are lost or changed in shared storage", metadata: ["slot": .string(slot.rawValue)])
                    throw UploadError.unusable(slot)
                }
            }
            let attributes = try? FileManager.default.attributesOfItem(atPath: staging.path(idHash: idHash))
            guard (attributes?[.size] as? NSNumber)?.int64Value == session.length else {
                // Without shared segments, another server received it (or its data directory was lost).
                Self.logger.warning("an upload named by a form is not on this server", metadata: ["slot": .string(slot.rawValue)])
                throw UploadError.unusable(slot)
            }
            let blob = try staging.sealedCopy(idHash: idHash, sha256: sha256, size: session.length)
            return TakenUpload(idHash: idHash, document: StagedDocument(slot: slot, blob: blob, filename: session.filename, type: type))
        } catch {
            _ = try? await metadata.restoreUpload(idHash: idHash)
            throw error
        }
    }

    /// Ends a request's use of an upload: once its application committed, the session's own copy of
    /// the bytes goes (the blob store has them); otherwise the upload can be used again.
    func settle(_ taken: [TakenUpload], committed: Bool) async {
        for upload in taken {
            if committed {
                // What is left in shared storage (if that fails now) goes with the row at expiry.
                try? await removeBytes(idHash: upload.idHash)
            } else {
                upload.document.blob.discard()
                _ = try? await metadata.restoreUpload(idHash: upload.idHash)
            }
        }
        if committed, !taken.isEmpty {
            Counter(label: "docintake_uploads_total", dimensions: [("event", "used")]).increment(by: taken.count)
        }
    }
}

/// An upload one request took, with its document ready to place.
struct TakenUpload: Sendable {
    let idHash: String
    let document: StagedDocument
}
