import Foundation
import Storage

/// The JSON an applicant's change or a reviewer's download leaves in its audit entry's `detail`:
/// which document was replaced or read (from which byte), or which fields were corrected from what
/// to what. The 秘密の番号 is never among them.
struct AuditDetail: Sendable, Codable, Equatable {
    /// The replaced document's slot.
    var slot: String?
    /// The replacement's SHA-256.
    var sha256: String?
    /// The corrected fields, in the form's order.
    var changes: [FieldChange]?
    /// The byte a download started from (0: the whole document).
    var offset: Int64?

    /// One corrected field: its stored value before and after (nil: empty).
    struct FieldChange: Sendable, Codable, Equatable {
        var field: String
        var old: String?
        var new: String?
    }

    /// The detail of `entry`, or an empty one when it has none this version reads.
    init(_ entry: AuditEntry) {
        self = entry.detail.flatMap { try? JSONDecoder().decode(Self.self, from: Data($0.utf8)) } ?? Self()
    }

    init(slot: String? = nil, sha256: String? = nil, changes: [FieldChange]? = nil, offset: Int64? = nil) {
        self.slot = slot
        self.sha256 = sha256
        self.changes = changes
        self.offset = offset
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// The audit actions an applicant's journey is made of, as the audit log names them.
enum AuditAction {
    static let submit = "submit"
    static let claim = "claim"
    static let `return` = "return"
    static let replaceDocument = "replace_document"
    static let correctFields = "correct_fields"
    static let resubmit = "resubmit"
    static let approve = "approve"
    static let reject = "reject"
    static let withdraw = "withdraw"
    /// A rescan found malware in a stored document (internal: it names the signature).
    static let quarantine = "quarantine"
}

extension Array where Element == AuditEntry {
    /// The applicant's changes since the application was last returned (差戻し), oldest first:
    /// what a resubmission brings and what the reviewer checks again. Empty when never returned.
    var changesSinceLastReturn: [AuditEntry] {
        guard let lastReturn = lastIndex(where: { $0.action == AuditAction.return }) else { return [] }
        return self[(lastReturn + 1)...].filter { [AuditAction.replaceDocument, AuditAction.correctFields].contains($0.action) }
    }

    /// When the application was last resubmitted after a return, if ever.
    var lastResubmission: Date? { last(where: { $0.action == AuditAction.resubmit })?.at }
}
