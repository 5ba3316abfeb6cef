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
    let clock: @Sendable () -> Date

    init(
        blobs: any BlobStore, metadata: any MetadataStore, scanner: DocumentScanner = DocumentScanner(),
        limits: IntakeLimits = IntakeLimits(), secretHasher: SecretHasher = SecretHasher(),
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.blobs = blobs
        self.metadata = metadata
        self.scanner = scanner
        self.limits = limits
        self.secretHasher = secretHasher
        self.clock = clock
    }

    /// Receives one application as the portal's 送信 button sends it, and commits it with its
    /// documents, audit entry and submission notice in one transaction, or not at all.
    func submit<Body: AsyncSequence & Sendable>(body: Body, contentType: String?) async throws -> SubmissionReceipt
    where Body.Element == ByteBuffer {
        let boundary = try Self.boundary(contentType)
        let receiver = FormReceiver(blobs: blobs, scanner: scanner, limits: limits,
                                    allowedSlots: Set(DocumentSlot.allCases), knownKind: nil,
                                    maxBodyBytes: limits.maxRequestBytes, secretHasher: secretHasher)
        let received = try await receiver.receive(body, boundary: boundary)
        do {
            let form = try Self.validate(received)
            let receipt = try await commit(form, documents: received.documents, secretHash: received.secretHash)
            UploadMetrics.accepted(count: received.documents.count)
            return receipt
        } catch {
            received.discardDocuments()
            await received.secretHash?.settle()
            throw error
        }
    }

    static func boundary(_ contentType: String?) throws -> String {
        guard let contentType, let boundary = MultipartParser.boundary(fromContentType: contentType) else {
            throw IntakeError.notMultipart
        }
        return boundary
    }

    static func validate(_ received: ReceivedForm) throws -> ApplicationForm {
        switch ApplicationForm.validate(fields: received.fields, uploadedSlots: Set(received.documents.keys)) {
        case .success(let form) where received.repeatedFields.isEmpty:
            return form
        case .success:
            throw IntakeError.invalidForm(FormErrors(repeatedFields: received.repeatedFields))
        case .failure(var errors):
            errors.addRepeated(received.repeatedFields)
            throw IntakeError.invalidForm(errors)
        }
    }

    private func commit(_ form: ApplicationForm, documents staged: [DocumentSlot: StagedDocument],
                        secretHash early: EarlySecretHash?) async throws -> SubmissionReceipt {
        let now = clock()
        let token = AccessToken.generate(prefix: AccessToken.applicantPrefix)
        let secretHash = try await EarlySecretHash.value(of: early, for: form.secretNumber, hasher: secretHasher)
        let id = UUID().uuidString.lowercased()
        let documents = DocumentSlot.allCases.compactMap { slot in
            staged[slot].map {
                DocumentRecord(applicationId: id, slot: slot.rawValue, blobSha256: $0.blob.digest.hex, size: $0.blob.size,
                               originalFilename: $0.filename, detectedType: $0.type.rawValue,
                               mimeType: $0.type.mimeType, uploadedAt: now)
            }
        }
        let warnings = String(decoding: try JSONEncoder().encode(form.warnings), as: UTF8.self)
        let notice = try SubmissionNotice(form: form, documents: documents)
        let blobs = self.blobs
        let metadata = self.metadata
        var attempt = 0
        while true {
            attempt += 1
            let record = ApplicationRecord(
                id: id, receiptNumber: ReceiptNumber.generate(at: now), status: ApplicationStatus.submitted.rawValue,
                institutionKind: form.institutionKind.rawValue, prefectureCode: form.prefectureCode,
                institutionCode: form.institutionCode, institutionName: form.institutionName,
                applicationKind: form.applicationKind.rawValue, termsAgreed: true, lineType: form.lineType,
                customerIdType: form.customerIdType?.rawValue, customerId: form.customerId, fletsV6Confirmed: true,
                plannedStartMonth: form.plannedStartMonth, plannedTestMonth: form.plannedTestMonth,
                secretNumberHash: secretHash, certificateFeePayment: form.certificateFeePayment.rawValue,
                contactEmail: form.contactEmail, accessTokenHash: token.hash, warnings: warnings, createdAt: now)
            let audit = AuditEntry(applicationId: id, at: now, actor: "applicant", action: "submit",
                                   toStatus: ApplicationStatus.submitted.rawValue)
            let outbox = OutboxMessage(applicationId: id, kind: "submission",
                                       recipient: form.contactEmail, payload: try notice.json(receiptNumber: record.receiptNumber),
                                       createdAt: now)
            do {
                try await Blocking.run {
                    try Self.placingInTransaction(staged.values.map(\.blob), blobs: blobs, metadata: metadata) { placeBlobs in
                        try metadata.insertApplication(record, documents: documents, audit: audit, notice: outbox,
                                                       placingBlobs: placeBlobs)
                    }
                    if !documents.isEmpty { BlobStoreMetrics.update(from: metadata) }
                }
                return SubmissionReceipt(
                    id: id, receiptNumber: record.receiptNumber, status: .submitted, accessToken: token.value,
                    warnings: form.warnings, documents: documents.map(DocumentSummary.init))
            } catch MetadataStoreError.duplicateReceiptNumber where attempt < 5 {
                continue
            } catch BlobStoreError.noSpace, MetadataStoreError.noSpace {
                throw IntakeError.storageFull
            }
        }
    }
}

extension FormErrors {
    init(repeatedFields: [String]) {
        self.init()
        addRepeated(repeatedFields)
    }

    mutating func addRepeated(_ fields: [String]) {
        for field in fields {
            add(field, FormMessages.Problem(code: "duplicate_field", ja: "同じ項目が2回送信されました。1回だけ送信してください。",
                                            en: "This field was sent more than once. Send it once."))
        }
    }
}
