import Foundation
import Storage

/// An application as its applicant (or a reviewer) reads it: never the 秘密の番号 or a token hash.
struct ApplicationView: Sendable, Codable, Equatable {
    var id: String
    var receiptNumber: String
    var status: String
    var fields: Fields
    var warnings: [FormWarning]
    var documents: [DocumentSummary]
    var history: [HistoryEntry]
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
        createdAt = record.createdAt
        updatedAt = record.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, status, fields, warnings, documents, history
        case receiptNumber = "receipt_number"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
