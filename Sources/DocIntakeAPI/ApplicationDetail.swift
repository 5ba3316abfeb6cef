import Foundation

/// An application as a reviewer reads it (`Application` in openapi.yaml): its fields, warnings,
/// documents and whole audit history; never the 秘密の番号 or a token hash. The server writes it and
/// the reviewer client reads it. Properties the document requires but the client can do without are
/// optional, so that the client still shows what a partial answer holds; the server always sends them.
public struct ApplicationDetail: Sendable, Codable, Equatable {
    /// The application's ID.
    public var id: String
    /// The receipt number the applicant was given (受付番号).
    public var receiptNumber: String
    /// Where it stands in review: an `ApplicationStatus` raw value. A string, so that a status this
    /// client does not know is shown as sent rather than failing the whole answer.
    public var status: String
    /// The form as submitted, after normalisation.
    public var fields: Fields
    /// Non-fatal findings, such as a check digit that does not match.
    public var warnings: [FieldMessage]
    /// Every document, current and superseded.
    public var documents: [DocumentSummary]
    /// The audit trail, oldest first.
    public var history: [HistoryEntry]
    /// When the applicant last resubmitted it after a return (再申請), if ever.
    public var resubmittedAt: Date?
    /// What the applicant changed since the last return, for the reviewer to check again.
    public var changesSinceReturn: [Change]?
    /// When it was submitted.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date

    /// An application as the server describes it.
    public init(
        id: String, receiptNumber: String, status: String, fields: Fields, warnings: [FieldMessage], documents: [DocumentSummary],
        history: [HistoryEntry], resubmittedAt: Date? = nil, changesSinceReturn: [Change]? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.receiptNumber = receiptNumber
        self.status = status
        self.fields = fields
        self.warnings = warnings
        self.documents = documents
        self.history = history
        self.resubmittedAt = resubmittedAt
        self.changesSinceReturn = changesSinceReturn
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The documents a reviewer works with: those not replaced by a later upload.
    public var currentDocuments: [DocumentSummary] { documents.filter { $0.supersededAt == nil } }

    /// The stored form fields, as submitted after normalisation, in the form's order (`Fields`).
    public struct Fields: Sendable, Codable, Equatable {
        /// 医療機関等の種別.
        public var institutionKind: String?
        /// 都道府県コード.
        public var prefectureCode: String?
        /// 医療機関等コード.
        public var institutionCode: String?
        /// 医療機関等名.
        public var institutionName: String?
        /// 申請区分.
        public var applicationKind: String?
        /// 電気通信回線種別.
        public var lineType: String?
        /// お客さまID (種別).
        public var customerIdType: String?
        /// お客さまID.
        public var customerId: String?
        /// 利用開始予定年月.
        public var plannedStartMonth: String?
        /// テスト開始予定年月.
        public var plannedTestMonth: String?
        /// 電子証明書発行料の支払方法.
        public var certificateFeePayment: String?
        /// 連絡先メールアドレス.
        public var contactEmail: String?

        /// The fields; a field left out is absent from the JSON.
        public init(
            institutionKind: String? = nil, prefectureCode: String? = nil, institutionCode: String? = nil,
            institutionName: String? = nil, applicationKind: String? = nil, lineType: String? = nil,
            customerIdType: String? = nil, customerId: String? = nil, plannedStartMonth: String? = nil,
            plannedTestMonth: String? = nil, certificateFeePayment: String? = nil, contactEmail: String? = nil
        ) {
            self.institutionKind = institutionKind
            self.prefectureCode = prefectureCode
            self.institutionCode = institutionCode
            self.institutionName = institutionName
            self.applicationKind = applicationKind
            self.lineType = lineType
            self.customerIdType = customerIdType
            self.customerId = customerId
            self.plannedStartMonth = plannedStartMonth
            self.plannedTestMonth = plannedTestMonth
            self.certificateFeePayment = certificateFeePayment
            self.contactEmail = contactEmail
        }

        enum CodingKeys: String, CodingKey {
            case institutionKind = "institution_kind"
            case prefectureCode = "prefecture_code"
            case institutionCode = "institution_code"
            case institutionName = "institution_name"
            case applicationKind = "application_kind"
            case lineType = "line_type"
            case customerIdType = "customer_id_type"
            case customerId = "customer_id"
            case plannedStartMonth = "planned_start_month"
            case plannedTestMonth = "planned_test_month"
            case certificateFeePayment = "certificate_fee_payment"
            case contactEmail = "contact_email"
        }
    }

    /// One state change or event of the audit log.
    public struct HistoryEntry: Sendable, Codable, Equatable {
        /// When it happened.
        public var at: Date
        /// What happened: `submit`, `claim`, `approve`, `download`, …
        public var action: String
        /// Who did it: `applicant`, `reviewer:<name>`, `system`, …
        public var actor: String?
        /// The status before, for a transition.
        public var fromStatus: String?
        /// The status after, for a transition.
        public var toStatus: String?
        /// The reviewer's reason, for a return or rejection.
        public var reason: String?

        /// One recorded event.
        public init(at: Date, action: String, actor: String?, fromStatus: String? = nil, toStatus: String? = nil, reason: String? = nil) {
            self.at = at
            self.action = action
            self.actor = actor
            self.fromStatus = fromStatus
            self.toStatus = toStatus
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey {
            case at, action, actor, reason
            case fromStatus = "from_status"
            case toStatus = "to_status"
        }
    }

    /// One change an applicant made to a returned application: a replaced document, or one
    /// corrected field with its old and new value.
    public struct Change: Sendable, Codable, Equatable {
        /// When it was made.
        public var at: Date
        /// `document_replaced` or `field_corrected`.
        public var kind: String
        /// The document slot or the form field.
        public var item: String
        /// The item in Japanese.
        public var label: String?
        /// The value before (a field).
        public var old: String?
        /// The value after (a field), or the new document's SHA-256.
        public var new: String?

        /// One change.
        public init(at: Date, kind: String, item: String, label: String?, old: String?, new: String?) {
            self.at = at
            self.kind = kind
            self.item = item
            self.label = label
            self.old = old
            self.new = new
        }
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
