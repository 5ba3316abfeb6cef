import Foundation
import Storage

/// An application as its applicant reads it: the fields, documents and only their own journey
/// (申請の履歴), in Japanese. Reviewer identities, downloads, legal holds and operator actions
/// are internal and never appear: the journey is built from an allow-list of audit actions.
struct ApplicantView: Sendable, Codable, Equatable {
    var id: String
    var receiptNumber: String
    var status: String
    var fields: ApplicationDetail.Fields
    var warnings: [FieldMessage]
    var documents: [DocumentSummary]
    var history: [JourneyEntry]
    var createdAt: Date
    var updatedAt: Date

    init(_ record: ApplicationRecord, documents: [DocumentRecord], audit: [AuditEntry]) {
        let full = ApplicationDetail(record, documents: documents, audit: [])
        id = full.id
        receiptNumber = full.receiptNumber
        status = full.status
        fields = full.fields
        warnings = full.warnings
        self.documents = full.documents
        history = audit.compactMap(JourneyEntry.init)
        createdAt = full.createdAt
        updatedAt = full.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, status, fields, warnings, documents, history
        case receiptNumber = "receipt_number"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// One step of the applicant's journey: 受付, 審査開始, 差戻し (with the reason), 書類の差し替え,
/// 申請内容の修正, 再申請, 審査完了, 却下 or 取下げ.
struct JourneyEntry: Sendable, Codable, Equatable {
    var at: Date
    /// A stable machine name of the step.
    var event: Event
    /// The step in Japanese, as the status page shows it.
    var label: String
    /// The reviewer's reason, for 差戻し and 却下.
    var reason: String?
    /// What the step concerned, in Japanese: the replaced document, or the corrected fields.
    var note: String?

    enum Event: String, Sendable, Codable, CaseIterable {
        case received
        case reviewStarted = "review_started"
        case returned
        case documentReplaced = "document_replaced"
        case fieldsCorrected = "fields_corrected"
        case resubmitted, approved, rejected, withdrawn

        var label: String {
            switch self {
            case .received: "受付"
            case .reviewStarted: "審査開始"
            case .returned: "差戻し"
            case .documentReplaced: "書類の差し替え"
            case .fieldsCorrected: "申請内容の修正"
            case .resubmitted: "再申請"
            case .approved: "審査完了"
            case .rejected: "却下"
            case .withdrawn: "取下げ"
            }
        }
    }

    /// The step an audit entry is, or nil for anything internal (downloads, holds, operator actions…).
    init?(_ entry: AuditEntry) {
        let event: Event
        switch entry.action {
        case AuditAction.submit: event = .received
        case AuditAction.claim: event = .reviewStarted
        case AuditAction.return: event = .returned
        case AuditAction.replaceDocument: event = .documentReplaced
        case AuditAction.correctFields: event = .fieldsCorrected
        case AuditAction.resubmit: event = .resubmitted
        case AuditAction.approve: event = .approved
        case AuditAction.reject: event = .rejected
        case AuditAction.withdraw: event = .withdrawn
        default: return nil
        }
        at = entry.at
        self.event = event
        label = event.label
        // Only a reviewer's reason to the applicant; a withdrawal's reason is the retention job's note.
        reason = event == .returned || event == .rejected ? entry.reason : nil
        let detail = AuditDetail(entry)
        switch event {
        case .documentReplaced: note = detail.slot.flatMap(DocumentSlot.init(rawValue:))?.japaneseName
        case .fieldsCorrected: note = detail.fieldNames.joined(separator: "、").nilIfEmpty
        default: note = nil
        }
    }
}

extension AuditDetail {
    /// The corrected fields' Japanese names, in the form's order.
    var fieldNames: [String] {
        (changes ?? []).map { FormField(rawValue: $0.field)?.japaneseName ?? $0.field }
    }
}
