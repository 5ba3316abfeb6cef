import Foundation
import Storage

/// The reviewer's view of an application, built from its stored records. The applicant reads
/// `ApplicantView`, which leaves out everything internal.
extension ApplicationDetail {
    init(_ record: ApplicationRecord, documents: [DocumentRecord], audit: [AuditEntry]) {
        self.init(
            id: record.id, receiptNumber: record.receiptNumber, status: record.status.rawValue, fields: Fields(record),
            warnings: (try? JSONDecoder().decode([FieldMessage].self, from: Data(record.warnings.utf8))) ?? [],
            documents: documents.map(DocumentSummary.init),
            history: audit.map {
                HistoryEntry(
                    at: $0.at, action: $0.action, actor: $0.actor, fromStatus: $0.fromStatus?.rawValue, toStatus: $0.toStatus?.rawValue,
                    reason: $0.reason)
            },
            resubmittedAt: audit.lastResubmission,
            changesSinceReturn: audit.changesSinceLastReturn.flatMap(Change.changes),
            createdAt: record.createdAt, updatedAt: record.updatedAt)
    }
}

extension ApplicationDetail.Fields {
    /// The stored form fields, as submitted after normalisation, with the form's values for the kinds.
    init(_ record: ApplicationRecord) {
        self.init(
            institutionKind: record.institutionKind.rawValue, prefectureCode: record.prefectureCode,
            institutionCode: record.institutionCode, institutionName: record.institutionName,
            applicationKind: record.applicationKind.rawValue, lineType: record.lineType,
            customerIdType: record.customerIdType?.rawValue, customerId: record.customerId,
            plannedStartMonth: record.plannedStartMonth, plannedTestMonth: record.plannedTestMonth,
            certificateFeePayment: record.certificateFeePayment.rawValue, contactEmail: record.contactEmail)
    }
}

extension ApplicationDetail.Change {
    /// The changes one audit entry records.
    static func changes(_ entry: AuditEntry) -> [Self] {
        let detail = AuditDetail(entry)
        if entry.action == AuditAction.replaceDocument, let slot = detail.slot {
            return [
                Self(
                    at: entry.at, kind: "document_replaced", item: slot,
                    label: DocumentSlot(rawValue: slot)?.japaneseName ?? slot, old: nil, new: detail.sha256)
            ]
        }
        return (detail.changes ?? []).map { change in
            Self(
                at: entry.at, kind: "field_corrected", item: change.field,
                label: FormField(rawValue: change.field)?.japaneseName ?? change.field, old: change.old, new: change.new)
        }
    }
}

extension DocumentSummary {
    /// One stored document.
    init(_ record: DocumentRecord) {
        self.init(
            slot: record.slot.rawValue, filename: record.originalFilename, size: record.size, sha256: record.blobSha256,
            type: record.detectedType, uploadedAt: record.uploadedAt, supersededAt: record.supersededAt,
            quarantinedAt: record.quarantinedAt)
    }
}
