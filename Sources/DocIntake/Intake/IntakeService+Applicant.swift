import Foundation
import NIOCore
import Storage

extension IntakeService {
    /// The application, if `token` is its applicant's. Any mismatch is `.notFound`, so nobody can
    /// probe which ids exist.
    func authorised(_ id: String, token: String?) async throws -> ApplicationRecord {
        let metadata = self.metadata
        // Hashed before the lookup, so the response time does not tell whether the id exists.
        let presented = Array(AccessToken.hash(token ?? "").utf8)
        guard token != nil, let record = try await metadata.application(id: id),
            ConstantTime.equal(presented, Array(record.accessTokenHash.utf8))
        else { throw ApplicantError.notFound }
        return record
    }

    /// The application's status, fields, documents and own journey, for its applicant.
    func view(_ id: String, token: String?) async throws -> ApplicantView {
        let record = try await authorised(id, token: token)
        let metadata = self.metadata
        return ApplicantView(
            try await metadata.application(id: id) ?? record, documents: try await metadata.documents(applicationId: id),
            audit: try await metadata.auditLog(applicationId: id))
    }

    /// Replaces one document: allowed while `returned`, and for a `change` application while
    /// `submitted`. The previous document is kept, marked superseded.
    func replaceDocument<Body: AsyncSequence & Sendable>(
        _ id: String, slot: DocumentSlot, token: String?, body: Body, contentType: String?
    ) async throws -> DocumentSummary where Body.Element == ByteBuffer {
        let record = try await authorised(id, token: token)
        let kind = record.institutionKind
        guard kind.uploadsDocuments else { throw IntakeError.documentNotAllowed(slot) }
        var allowed: Set<ApplicationStatus> = [.returned]
        if record.applicationKind == .change { allowed.insert(.submitted) }
        guard allowed.contains(record.status) else { throw ApplicantError.wrongStatus(record.status) }

        let receiver = FormReceiver(
            blobs: blobs, scanner: scanner, antivirus: antivirus, limits: limits, allowedSlots: [slot], knownKind: kind,
            maxBodyBytes: limits.maxSingleDocumentRequestBytes)
        var received = ReceivedForm()
        try await receiver.receive(body, boundary: try Self.boundary(contentType), into: &received)
        if let rejection = received.rejections[slot] { throw IntakeError.documentRejected(slot, rejection) }
        let taken: [TakenUpload]
        do {
            taken = try await takeUploads(into: &received, slots: [slot], kind: kind)
        } catch {
            received.discardDocuments()
            throw error
        }
        guard let staged = received.documents[slot] else {
            received.discardDocuments()
            var errors = FormErrors()
            errors.add(slot.rawValue, FormMessages.documentRequired(slot))
            throw IntakeError.invalidForm(errors)
        }
        let now = clock()
        let document = DocumentRecord(
            applicationId: id, slot: slot, blobSha256: staged.blob.digest.hex, size: staged.blob.size,
            originalFilename: staged.filename, detectedType: staged.type.rawValue, mimeType: staged.type.mimeType,
            uploadedAt: now)
        let audit = AuditEntry(
            applicationId: id, at: now, actor: "applicant", action: AuditAction.replaceDocument,
            detail: AuditDetail(slot: slot.rawValue, sha256: staged.blob.digest.hex).json())
        let (blobs, metadata, allowedStatuses) = (self.blobs, self.metadata, allowed)
        do {
            try await BlobPlacement(blobs: blobs, metadata: metadata).place([staged.blob], at: now) { reservation in
                try await metadata.replaceDocument(document, allowedStatuses: allowedStatuses, audit: audit, releasing: reservation)
            }
            await resumable?.settle(taken, committed: true)
            if taken.isEmpty { UploadMetrics.answered(since: received.lastChunkArrived) }
            await BlobStoreMetrics.update(from: metadata)
        } catch {
            staged.blob.discard()
            await resumable?.settle(taken, committed: false)
            switch error {
            case MetadataStoreError.statusConflict(let current): throw ApplicantError.wrongStatus(current)
            case BlobStoreError.noSpace, MetadataStoreError.noSpace: throw IntakeError.storageFull
            default: throw error
            }
        }
        UploadMetrics.accepted(count: 1)
        return DocumentSummary(document)
    }

    /// `returned` → `submitted`, after the applicant has fixed what the reviewer asked for, queueing
    /// the 再申請受付 notice. A resubmission that changes nothing since the return is refused with
    /// `.nothingChanged` unless `confirmedUnchanged`: the applicant may have forgotten a step.
    func resubmit(_ id: String, token: String?, confirmedUnchanged: Bool) async throws -> ApplicantView {
        let record = try await authorised(id, token: token)
        let now = clock()
        let metadata = self.metadata
        do {
            do {
                let quarantined = try await metadata.documents(applicationId: id)
                    .filter { $0.supersededAt == nil && $0.quarantinedAt != nil }.map(\.slot)
                if !quarantined.isEmpty { throw ApplicantError.quarantinedDocuments(quarantined) }
                let changes = try await metadata.auditLog(applicationId: id).changesSinceLastReturn
                if changes.isEmpty && !confirmedUnchanged && record.status == .returned {
                    throw ApplicantError.nothingChanged
                }
                let details = changes.map(AuditDetail.init)
                var replaced: [String] = []
                for slot in DocumentSlot.allCases where details.contains(where: { $0.slot == slot.rawValue }) {
                    replaced.append(slot.japaneseName)
                }
                let corrected = Set(details.flatMap { ($0.changes ?? []).map(\.field) })
                let notice = ResubmissionNotice(
                    receiptNumber: record.receiptNumber, institutionName: record.institutionName, replacedDocuments: replaced,
                    correctedFields: FormField.correctable.filter { corrected.contains($0.rawValue) }.map(\.japaneseName))
                try await metadata.transition(
                    applicationId: id, from: [.returned], to: .submitted,
                    audit: AuditEntry(applicationId: id, at: now, actor: "applicant", action: AuditAction.resubmit),
                    notice: OutboxMessage(
                        applicationId: id, kind: NoticeKind.resubmission.rawValue, recipient: record.contactEmail,
                        payload: try notice.json(), createdAt: now))
            }
        } catch MetadataStoreError.statusConflict(let current) {
            throw ApplicantError.wrongStatus(current)
        }
        return try await view(id, token: token)
    }
}
