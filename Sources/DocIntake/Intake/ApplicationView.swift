import Foundation
import Storage

/// An application as its applicant (or a reviewer) reads it: never the 秘密の番号 or a token hash.
public struct ApplicationView: Sendable, Codable, Equatable {
    public var id: String
    public var receiptNumber: String
    public var status: String
    public var fields: Fields
    public var warnings: [FormWarning]
    public var documents: [DocumentSummary]
    public var history: [HistoryEntry]
    public var createdAt: Date
    public var updatedAt: Date

    /// The stored form fields, as submitted after normalisation.
    public struct Fields: Sendable, Codable, Equatable {
        public var institutionKind: String
        public var prefectureCode: String
        public var institutionCode: String?
        public var institutionName: String
        public var applicationKind: String
        public var lineType: String
        public var customerIdType: String?
        public var customerId: String?
        public var plannedStartMonth: String
        public var plannedTestMonth: String?
        public var certificateFeePayment: String
        public var contactEmail: String

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
    public struct HistoryEntry: Sendable, Codable, Equatable {
        public var at: Date
        public var action: String
        public var actor: String
        public var fromStatus: String?
        public var toStatus: String?
        public var reason: String?

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
