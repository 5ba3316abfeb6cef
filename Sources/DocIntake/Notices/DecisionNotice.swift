import Foundation

/// What the approval, return (差戻し) and rejection notices need: the reviewer's reason is
/// included for a return or a rejection, as domain.md asks.
struct DecisionNotice: Codable, Sendable {
    var receiptNumber: String
    var institutionName: String
    var decision: String
    var reason: String?

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

extension DecisionNotice {
    /// The values the approval, return and rejection templates read.
    var templateContext: [String: Any] {
        ["receiptNumber": receiptNumber, "institutionName": institutionName, "reason": reason ?? ""]
    }
}
