import Foundation

/// What the access-link notice needs from the request. The link's token is not here: it is made
/// when the notice is sent, so that it is never stored (see `NoticeDeliverer`).
struct AccessLinkNotice: Codable, Sendable {
    var receiptNumber: String
    var institutionName: String

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    var templateContext: [String: Any] { ["receiptNumber": receiptNumber, "institutionName": institutionName] }
}
