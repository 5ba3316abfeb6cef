import Foundation
import Storage

/// The `.eml` files of the default notice transport (`<data>/outbox/`) hold the applicant's name
/// and address, so they are kept no longer than needed: a delivered notice's file goes
/// `noticeFileDays` after delivery, and at the latest with its application's documents. Each
/// deletion is recorded in the audit log (`notice_file_deleted`), which is append-only like the
/// documents' deletion records. A notice not yet delivered keeps its file: it is still to be sent.
struct NoticeFileRetention: Sendable {
    /// One file due for deletion.
    struct Due: Sendable, Equatable, Codable {
        var applicationId: String
        var kind: String
        var file: String
        var sentAt: Date
        /// `delivered` (the time after delivery is up) or `documents_deleted`.
        var reason: String
    }

    let metadata: any MetadataStore
    let directory: String
    let keepDays: Int

    /// The files due as of `now`. `documentsGoing` are applications whose documents this run
    /// deletes; applications with a deletion record already lost theirs.
    func due(now: Date, documentsGoing: Set<String>) async throws -> [Due] {
        let gone = Set(try await metadata.deletionRecords(applicationId: nil).map(\.applicationId)).union(documentsGoing)
        let cutoff = now.addingTimeInterval(-Double(keepDays) * 86400)
        return try await metadata.deliveredNotices().compactMap { notice in
            guard let sentAt = notice.sentAt else { return nil }
            let file = MailMessage.key(eventKey: notice.eventKey) + ".eml"
            guard FileManager.default.fileExists(atPath: directory + "/" + file) else { return nil }
            let reason = gone.contains(notice.applicationId) ? "documents_deleted" : sentAt <= cutoff ? "delivered" : nil
            return reason.map { Due(applicationId: notice.applicationId, kind: notice.kind, file: file, sentAt: sentAt, reason: $0) }
        }
    }

    /// Deletes one file and records it; a file already gone is not recorded again.
    func delete(_ due: Due, at: Date, by identity: OperatorIdentity) async throws -> Bool {
        let path = directory + "/" + due.file
        guard unlink(path) == 0 else {
            if errno == ENOENT { return false }
            throw NoticeError.fileSystem(operation: "unlink", errno: errno)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let detail = try? encoder.encode(["file": due.file, "kind": due.kind, "reason": due.reason])
        try await metadata.appendAudit(
            AuditEntry(
                applicationId: due.applicationId, at: at, actor: identity.actor, action: "notice_file_deleted",
                detail: detail.map { String(decoding: $0, as: UTF8.self) }))
        return true
    }
}
