import Foundation
import Storage

/// An application as a reviewer reads it, with its whole audit history: never the 秘密の番号 or a
/// token hash. The applicant reads `ApplicantView`, which leaves out everything internal.
struct ApplicationView: Sendable, Codable, Equatable {
    var id: String
    var receiptNumber: String
    var status: String
    var fields: Fields
    var warnings: [FormWarning]
    var documents: [DocumentSummary]
    var history: [HistoryEntry]
    /// When the applicant last resubmitted it after a return (再申請).
    var resubmittedAt: Date?
    /// What the applicant changed since the last return, for the reviewer to check again.
    var changesSinceReturn: [ReviewChange]
    var createdAt: Date
    var updatedAt: Date

    /// The stored form fields, as submitted after normalisation.
    struct Fields: Sendable, Codable, Equatable {
        var institutionKind: String
        var prefectureCode: String
        var institutionCode: String?
        var institutionName: String
        var applicationKind: String
        var lineType: String
        var customerIdType: String?
        var customerId: String?
        var plannedStartMonth: String
        var plannedTestMonth: String?
        var certificateFeePayment: String
        var contactEmail: String

        enum CodingKeys: String, CodingKey {
            case institutionKind = "institution_kind", prefectureCode = "prefecture_code"
            case institutionCode = "institution_code", institutionName = "institution_name"
            case applicationKind = "application_kind", lineType = "line_type"
            case customerIdType = "customer_id_type", customerId = "customer_id"
            case plannedStartMonth = "planned_start_month", plannedTestMonth = "planned_test_month"
            case certificateFeePayment = "certificate_fee_payment", contactEmail = "contact_email"
        }
    }

    /// One state change or event of the audit log.
    struct HistoryEntry: Sendable, Codable, Equatable {
        var at: Date
        var action: String
        var actor: String
        var fromStatus: String?
        var toStatus: String?
        var reason: String?

        enum CodingKeys: String, CodingKey {
            case at, action, actor, reason
            case fromStatus = "from_status"
            case toStatus = "to_status"
        }
    }

    init(_ record: ApplicationRecord, documents: [DocumentRecord], audit: [AuditEntry]) {
        id = record.id
        receiptNumber = record.receiptNumber
        status = record.status
        fields = Fields(
            institutionKind: record.institutionKind, prefectureCode: record.prefectureCode,
            institutionCode: record.institutionCode, institutionName: record.institutionName,
            applicationKind: record.applicationKind, lineType: record.lineType,
            customerIdType: record.customerIdType, customerId: record.customerId,
            plannedStartMonth: record.plannedStartMonth, plannedTestMonth: record.plannedTestMonth,
            certificateFeePayment: record.certificateFeePayment, contactEmail: record.contactEmail)
        warnings = (try? JSONDecoder().decode([FormWarning].self, from: Data(record.warnings.utf8))) ?? []
        self.documents = documents.map(DocumentSummary.init)
        history = audit.map {
            HistoryEntry(at: $0.at, action: $0.action, actor: $0.actor, fromStatus: $0.fromStatus,
                         toStatus: $0.toStatus, reason: $0.reason)
        }
        resubmittedAt = audit.lastResubmission
        changesSinceReturn = audit.changesSinceLastReturn.flatMap(ReviewChange.changes)
        createdAt = record.createdAt
        updatedAt = record.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, status, fields, warnings, documents, history
        case receiptNumber = "receipt_number"
        case resubmittedAt = "resubmitted_at"
        case changesSinceReturn = "changes_since_return"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// One change an applicant made to a returned application: a replaced document, or one corrected
/// field with its old and new value.
struct ReviewChange: Sendable, Codable, Equatable {
    var at: Date
    /// `document_replaced` or `field_corrected`.
    var kind: String
    /// The document slot or the form field.
    var item: String
    /// The item in Japanese.
    var label: String
    var old: String?
    var new: String?

    /// The changes one audit entry records.
    static func changes(_ entry: AuditEntry) -> [ReviewChange] {
        let detail = AuditDetail(entry)
        if entry.action == AuditAction.replaceDocument, let slot = detail.slot {
            return [ReviewChange(at: entry.at, kind: "document_replaced", item: slot,
                                 label: DocumentSlot(rawValue: slot)?.japaneseName ?? slot, old: nil, new: detail.sha256)]
        }
        return (detail.changes ?? []).map { change in
            ReviewChange(at: entry.at, kind: "field_corrected", item: change.field,
                         label: FormField(rawValue: change.field)?.japaneseName ?? change.field, old: change.old, new: change.new)
        }
    }
}
