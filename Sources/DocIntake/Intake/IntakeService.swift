import Antivirus
import Foundation
import Logging
import Metrics
import Multipart
import NIOCore
import Scanner
import Storage

/// The applicant's side of the service: submitting an application with its documents,
/// reading it back, replacing a document and resubmitting after a return (差戻し).
struct IntakeService: Sendable {
    let blobs: any BlobStore
    let metadata: any MetadataStore
    let scanner: DocumentScanner
    let limits: IntakeLimits
    let secretHasher: SecretHasher
    /// clamd, fed every document's bytes as they arrive; nil when no virus scan is configured.
    let antivirus: ClamdClient?
    let clock: @Sendable () -> Date
    /// Resumable uploads a form may name instead of carrying a file; nil where there are none.
    var resumable: UploadService?

    init(
        blobs: any BlobStore, metadata: any MetadataStore, scanner: DocumentScanner = DocumentScanner(),
        limits: IntakeLimits = IntakeLimits(), secretHasher: SecretHasher, antivirus: ClamdClient? = nil,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.blobs = blobs
        self.metadata = metadata
        self.scanner = scanner
        self.limits = limits
        self.secretHasher = secretHasher
        self.antivirus = antivirus
        self.clock = clock
    }

    /// Receives one application as the portal's 送信 button sends it, and commits it with its
    /// documents, audit entry and submission notice in one transaction, or not at all.
    func submit<Body: AsyncSequence & Sendable>(body: Body, contentType: String?) async throws -> SubmissionReceipt
    where Body.Element == ByteBuffer {
        let boundary = try Self.boundary(contentType)
        let receiver = FormReceiver(
            blobs: blobs, scanner: scanner, antivirus: antivirus, limits: limits,
            allowedSlots: Set(DocumentSlot.allCases), knownKind: nil,
            maxBodyBytes: limits.maxRequestBytes, secretHasher: secretHasher)
        var received = ReceivedForm()
        do {
            try await receiver.receive(body, boundary: boundary, into: &received)
        } catch let error as IntakeError where error.concernsOnePart {
            let alsoInvalid = Self.errorsBeforeStop(received)
            throw alsoInvalid.isEmpty ? error : IntakeError.stoppedEarly(error, alsoInvalid: alsoInvalid)
        }
        var taken: [TakenUpload] = []
        do {
            taken = try await takeUploads(into: &received, slots: DocumentSlot.allCases, kind: nil)
            let form = try Self.validate(received)
            let receipt = try await commit(form, documents: received.documents, secretHash: received.secretHash)
            await resumable?.settle(taken, committed: true)
            UploadMetrics.accepted(count: received.documents.count)
            // Timed only when a document came in this body, not all by earlier resumable uploads.
            if taken.count < received.documents.count { UploadMetrics.answered(since: received.lastChunkArrived) }
            return receipt
        } catch {
            received.discardDocuments()
            await resumable?.settle(taken, committed: false)
            await received.secretHash?.settle()
            throw error
        }
    }

    /// Takes the uploads the form names (`<slot>_upload=<id>`) as its documents. A slot that also
    /// carries a file, or a kind that sends no documents, is refused as a second file would be.
    func takeUploads(
        into received: inout ReceivedForm, slots: [DocumentSlot], kind knownKind: InstitutionKind?
    ) async throws
        -> [TakenUpload]
    {
        var taken: [TakenUpload] = []
        do {
            for slot in slots {
                guard let id = FormValue.normalised(received.fields.removeValue(forKey: UploadService.fieldName(slot))) else {
                    continue
                }
                guard let resumable else { throw IntakeError.unknownPart(UploadService.fieldName(slot)) }
                let kind =
                    knownKind
                    ?? received.fields[FormField.institutionKind.rawValue].flatMap { FormValue.normalised($0) }
                    .flatMap(InstitutionKind.init(rawValue:))
                if let kind, !kind.uploadsDocuments { throw IntakeError.documentNotAllowed(slot) }
                if received.documents[slot] != nil || received.rejections[slot] != nil { throw IntakeError.duplicateFile(slot) }
                let upload = try await resumable.take(id, slot: slot)
                taken.append(upload)
                received.documents[slot] = upload.document
            }
        } catch {
            await resumable?.settle(taken, committed: false)
            for upload in taken { received.documents[upload.document.slot] = nil }
            throw error
        }
        return taken
    }

    static func boundary(_ contentType: String?) throws -> String {
        guard let contentType, let boundary = MultipartParser.boundary(fromContentType: contentType) else {
            throw IntakeError.notMultipart
        }
        return boundary
    }

    /// The form, or every error of the request at once: fields, repeated fields, text that is
    /// not UTF-8, and documents the final stage refused. A lone document refusal keeps its own
    /// status and code (415 for a type that is not allowed).
    static func validate(_ received: ReceivedForm) throws -> ApplicationForm {
        let (form, errors) = check(received, uploadedSlots: Set(received.documents.keys).union(received.rejections.keys))
        if let form, errors.isEmpty { return form }
        if errors.errors.count == 1, let only = received.rejections.first {
            throw IntakeError.documentRejected(only.key, only.value)
        }
        throw IntakeError.invalidForm(errors)
    }

    /// The errors of what arrived before an upload was stopped: the form's fields up to the last
    /// one received (a browser sends them in the form's order, before the files; an unchecked
    /// box is never sent at all), and the documents already refused. Fields not yet received are
    /// not reported missing.
    static func errorsBeforeStop(_ received: ReceivedForm) -> FormErrors {
        let names = Set(received.fields.keys).union(received.malformedFields).union(received.repeatedFields)
        let order = FormField.allCases.map(\.rawValue)
        let reached = order.lastIndex(where: names.contains).map { Set(order[...$0]) } ?? []
        let arrived = reached.union(received.rejections.keys.map(\.rawValue))
        var (_, errors) = check(received, uploadedSlots: Set(DocumentSlot.allCases))
        errors.keep { arrived.contains($0.field) }
        return errors
    }

    private static func check(_ received: ReceivedForm, uploadedSlots: Set<DocumentSlot>) -> (ApplicationForm?, FormErrors) {
        let form: ApplicationForm?
        var errors = FormErrors()
        switch ApplicationForm.validate(fields: received.fields, uploadedSlots: uploadedSlots) {
        case .success(let valid): form = valid
        case .failure(let invalid): (form, errors) = (nil, invalid)
        }
        let malformed = Set(received.malformedFields).intersection(FormField.allCases.map(\.rawValue))
        errors.keep { !malformed.contains($0.field) }
        for field in received.malformedFields where malformed.contains(field) { errors.add(field, .notUTF8) }
        errors.addRepeated(received.repeatedFields)
        errors.addRejections(received.rejections)
        errors.sortInFormOrder()
        return (form, errors)
    }

    private func commit(
        _ form: ApplicationForm, documents staged: [DocumentSlot: StagedDocument],
        secretHash early: EarlySecretHash?
    ) async throws -> SubmissionReceipt {
        let now = clock()
        let token = AccessToken.generate(prefix: AccessToken.applicantPrefix)
        let secretHash = try await EarlySecretHash.value(of: early, for: form.secretNumber, hasher: secretHasher)
        let id = UUID().uuidString.lowercased()
        let documents = DocumentSlot.allCases.compactMap { slot in
            staged[slot].map {
                DocumentRecord(
                    applicationId: id, slot: slot, blobSha256: $0.blob.digest.hex, size: $0.blob.size,
                    originalFilename: $0.filename, detectedType: $0.type.rawValue,
                    mimeType: $0.type.mimeType, uploadedAt: now)
            }
        }
        let warnings = String(decoding: try JSONEncoder().encode(form.warnings), as: UTF8.self)
        let notice = try SubmissionNotice(form: form, documents: documents)
        let metadata = self.metadata
        func attempt(receiptNumber: String, releasing reservation: BlobReservation?) async throws {
            let record = ApplicationRecord(
                id: id, receiptNumber: receiptNumber, status: .submitted,
                institutionKind: form.institutionKind, prefectureCode: form.prefectureCode,
                institutionCode: form.institutionCode, institutionName: form.institutionName,
                applicationKind: form.applicationKind, termsAgreed: true, lineType: form.lineType,
                customerIdType: form.customerIdType, customerId: form.customerId, fletsV6Confirmed: true,
                plannedStartMonth: form.plannedStartMonth, plannedTestMonth: form.plannedTestMonth,
                secretNumberHash: secretHash, certificateFeePayment: form.certificateFeePayment,
                contactEmail: form.contactEmail, accessTokenHash: token.hash, warnings: warnings, createdAt: now)
            let audit = AuditEntry(
                applicationId: id, at: now, actor: "applicant", action: "submit", toStatus: .submitted)
            let outbox = OutboxMessage(
                applicationId: id, kind: NoticeKind.submission.rawValue,
                recipient: form.contactEmail, payload: try notice.json(receiptNumber: receiptNumber),
                createdAt: now)
            try await metadata.insertApplication(record, documents: documents, audit: audit, notice: outbox, releasing: reservation)
        }
        do {
            let receiptNumber = try await BlobPlacement(blobs: blobs, metadata: metadata).place(staged.values.map(\.blob), at: now) {
                reservation in
                // Random, so a clash (the unique constraint, across servers too) is rare; try another.
                var tries = 0
                while true {
                    tries += 1
                    let receiptNumber = ReceiptNumber.generate(at: now)
                    do {
                        try await attempt(receiptNumber: receiptNumber, releasing: reservation)
                        return receiptNumber
                    } catch MetadataStoreError.duplicateReceiptNumber where tries < 5 {
                        continue
                    }
                }
            }
            if !documents.isEmpty { await BlobStoreMetrics.update(from: metadata) }
            return SubmissionReceipt(
                id: id, receiptNumber: receiptNumber, status: .submitted, accessToken: token.value,
                warnings: form.warnings, documents: documents.map(DocumentSummary.init))
        } catch BlobStoreError.noSpace, MetadataStoreError.noSpace {
            throw IntakeError.storageFull
        }
    }
}

extension FormErrors {
    mutating func addRepeated(_ fields: [String]) {
        for field in Set(fields) {
            add(field, FormMessages.Message.duplicateField)
        }
    }

    mutating func addRejections(_ rejections: [DocumentSlot: Rejection]) {
        for (slot, rejection) in rejections { add(FieldError(slot, rejection)) }
    }
}
