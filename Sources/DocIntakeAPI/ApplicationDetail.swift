import Foundation

/// An application as a reviewer reads it: its fields, warnings, documents and history.
public struct ApplicationDetail: Sendable, Codable, Equatable {
    /// The application's ID.
    public var id: String
    /// The receipt number the applicant was given (受付番号).
    public var receiptNumber: String
    /// Where it stands in review.
    public var status: String
    /// The form as submitted, after normalisation.
    public var fields: Fields
    /// Non-fatal findings, such as a check digit that does not match.
    public var warnings: [Warning]
    /// Every document, current and superseded.
    public var documents: [Document]
    /// The audit trail, oldest first.
    public var history: [HistoryEntry]
    /// When the applicant last resubmitted it after a return (再申請), if ever.
    public var resubmittedAt: Date?
    /// What the applicant changed since the last return.
    public var changesSinceReturn: [Change]?
    /// When it was submitted.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date

    /// The documents a reviewer works with: those not replaced by a later upload.
    public var currentDocuments: [Document] { documents.filter { $0.supersededAt == nil } }

    /// The form fields, in the form's order.
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

        enum CodingKeys: String, CodingKey {
            case institutionKind = "institution_kind", prefectureCode = "prefecture_code"
            case institutionCode = "institution_code", institutionName = "institution_name"
            case applicationKind = "application_kind", lineType = "line_type"
            case customerIdType = "customer_id_type", customerId = "customer_id"
            case plannedStartMonth = "planned_start_month", plannedTestMonth = "planned_test_month"
            case certificateFeePayment = "certificate_fee_payment", contactEmail = "contact_email"
        }

        /// (API name, Japanese label, value) in the form's order, for the human view.
        var rows: [(name: String, label: String, value: String?)] {
            [
                ("institution_kind", "医療機関等の種別", institutionKind),
                ("prefecture_code", "都道府県コード", prefectureCode),
                ("institution_code", "医療機関等コード", institutionCode),
                ("institution_name", "医療機関等名", institutionName),
                ("application_kind", "申請区分", applicationKind),
                ("line_type", "電気通信回線種別", lineType),
                ("customer_id_type", "お客さまID (種別)", customerIdType),
                ("customer_id", "お客さまID", customerId),
                ("planned_start_month", "利用開始予定年月", plannedStartMonth),
                ("planned_test_month", "テスト開始予定年月", plannedTestMonth),
                ("certificate_fee_payment", "電子証明書発行料の支払方法", certificateFeePayment),
                ("contact_email", "連絡先メールアドレス", contactEmail),
            ]
        }
    }

    /// A finding that did not stop the application.
    public struct Warning: Sendable, Codable, Equatable {
        /// The field it concerns.
        public var field: String?
        /// A stable machine code.
        public var code: String?
        /// The message in Japanese.
        public var message: String?
        /// The message in English.
        public var messageEn: String?

        enum CodingKeys: String, CodingKey {
            case field, code, message
            case messageEn = "message_en"
        }
    }

    /// One uploaded file.
    public struct Document: Sendable, Codable, Equatable {
        /// `opening_notification` or `opening_permit`.
        public var slot: String
        /// The applicant's original file name, UTF-8.
        public var filename: String
        /// Its size in bytes.
        public var size: Int64
        /// Its SHA-256, lowercase hex.
        public var sha256: String
        /// The type detected from its content: `pdf`, `png`, `xls` or `xlsx`.
        public var type: String
        /// When it was uploaded.
        public var uploadedAt: Date?
        /// When a later upload replaced it; nil while it is current.
        public var supersededAt: Date?
        /// When a rescan found malware in it; the server never serves it, and the applicant was asked for a new file.
        public var quarantinedAt: Date?

        enum CodingKeys: String, CodingKey {
            case slot, filename, size, sha256, type
            case uploadedAt = "uploaded_at"
            case supersededAt = "superseded_at"
            case quarantinedAt = "quarantined_at"
        }
    }

    /// One recorded event.
    public struct HistoryEntry: Sendable, Codable, Equatable {
        /// When it happened.
        public var at: Date
        /// What happened: `submit`, `claim`, `approve`, `download`, …
        public var action: String
        /// Who did it: `applicant`, a reviewer's name, `system`.
        public var actor: String?
        /// The status before, for a transition.
        public var fromStatus: String?
        /// The status after, for a transition.
        public var toStatus: String?
        /// The reviewer's reason, for a return or rejection.
        public var reason: String?

        enum CodingKeys: String, CodingKey {
            case at, action, actor, reason
            case fromStatus = "from_status"
            case toStatus = "to_status"
        }
    }

    /// One change the applicant made after a return: a replaced document or a corrected field.
    public struct Change: Sendable, Codable, Equatable {
        /// When it was made.
        public var at: Date
        /// `document_replaced` or `field_corrected`.
        public var kind: String
        /// The slot or the field.
        public var item: String
        /// The item in Japanese.
        public var label: String?
        /// The value before (a field).
        public var old: String?
        /// The value after (a field), or the new document's SHA-256.
        public var new: String?
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
