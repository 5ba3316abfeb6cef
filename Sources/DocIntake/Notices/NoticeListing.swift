import Foundation
import Storage

/// The undelivered notices for `docintake notices`: which, how often tried, when next, and why
/// the last attempt failed. Neither the recipient nor the message is shown, though the failure's
/// text is sendmail's own output, which may quote the address.
public struct NoticeListing: Sendable {
    var notices: [OutboxMessage]

    /// Every notice not yet delivered, oldest first.
    public static func make(metadata: any MetadataStore) async throws -> NoticeListing {
        NoticeListing(notices: try await metadata.notices(applicationId: nil))
    }

    /// A table for people; times in Japan time. With nothing pending, one plain sentence instead.
    public func table() -> String {
        if notices.isEmpty { return "No notices are waiting to be delivered: every notice has been sent.\n" }
        var out = "ID      KIND        APPLICATION                           ATTEMPTS  NEXT ATTEMPT (JST)         LAST ERROR\n"
        for notice in notices {
            out +=
                [
                    String(notice.id ?? 0).padding(toLength: 6, withPad: " ", startingAt: 0),
                    notice.kind.padding(toLength: 10, withPad: " ", startingAt: 0),
                    notice.applicationId.padding(toLength: 36, withPad: " ", startingAt: 0),
                    String(notice.attempts).padding(toLength: 8, withPad: " ", startingAt: 0),
                    OperatorDate.format(notice.nextAttemptAt).padding(toLength: 25, withPad: " ", startingAt: 0),
                    (notice.lastError ?? "-").replacingOccurrences(of: "\n", with: " "),
                ].joined(separator: "  ") + "\n"
        }
        return out
    }
}
