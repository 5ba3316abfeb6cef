import Foundation

/// What the 再申請受付 notice says: which documents were replaced and which fields corrected since
/// the return, by their Japanese names (never a value: the notice need not repeat what changed to).
struct ResubmissionNotice: Codable, Sendable {
    var receiptNumber: String
    var institutionName: String
    var replacedDocuments: [String]
    var correctedFields: [String]

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The values the template reads.
    var templateContext: [String: Any] {
        [
            "receiptNumber": receiptNumber, "institutionName": institutionName, "replacedDocuments": replacedDocuments,
            "correctedFields": correctedFields, "changed": !(replacedDocuments.isEmpty && correctedFields.isEmpty),
        ]
    }
}
