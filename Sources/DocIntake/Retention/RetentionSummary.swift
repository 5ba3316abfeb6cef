import Foundation
import Storage

/// What a retention run did, or with `dryRun` what it would do: the same structure either way,
/// so a dry run's summary is exactly the real run's when nothing changes in between.
public struct RetentionSummary: Sendable, Equatable, Codable {
    struct Document: Sendable, Equatable, Codable {
        var applicationId: String
        var receiptNumber: String
        var rule: RetentionRule
        var documentId: Int64
        var slot: String
        var sha256: String
        var size: Int64
    }

    struct Withdrawal: Sendable, Equatable, Codable {
        var applicationId: String
        var receiptNumber: String
        var returnedAt: Date
    }

    struct Hold: Sendable, Equatable, Codable {
        var applicationId: String
        var receiptNumber: String
        var rule: RetentionRule
        var dueAt: Date
        var reason: String
    }

    /// A planned step that was not carried out because things changed since the plan.
    struct Skip: Sendable, Equatable, Codable {
        /// An application id, or `sha256:<hex>` for a blob.
        var subject: String
        var reason: String
    }

    var now: Date
    var dryRun: Bool
    var operatorUser: String
    var policy: RetentionPolicy
    var applicationsConsidered: Int
    var applicationsWithdrawn: [Withdrawal]
    var applicationsHeld: [Hold]
    /// Documents deleted per rule; every rule is present.
    var documentsDeleted: [String: Int]
    var documents: [Document]
    var blobsDeleted: Int
    var bytesFreed: Int64
    var blobs: [BlobGarbage]
    /// Unreferenced blobs kept because they are younger than the grace period (measured on the
    /// wall clock, whatever `now` is); a later run collects them.
    var blobsInGracePeriod: Int
    var tempFilesSwept: Int
    /// Delivered notices' `.eml` files deleted from the outbox.
    var noticeFiles: [NoticeFileRetention.Due]
    var skipped: [Skip]
    var errors: [String]
    /// True when the server's shutdown stopped the run between two steps.
    var interrupted: Bool

    init(now: Date, dryRun: Bool, operatorUser: String, policy: RetentionPolicy, applicationsConsidered: Int) {
        self.now = now
        self.dryRun = dryRun
        self.operatorUser = operatorUser
        self.policy = policy
        self.applicationsConsidered = applicationsConsidered
        applicationsWithdrawn = []
        applicationsHeld = []
        documentsDeleted = Dictionary(uniqueKeysWithValues: RetentionRule.allCases.map { ($0.rawValue, 0) })
        documents = []
        blobsDeleted = 0
        bytesFreed = 0
        blobs = []
        blobsInGracePeriod = 0
        tempFilesSwept = 0
        noticeFiles = []
        skipped = []
        errors = []
        interrupted = false
    }

    /// No step failed and the run was not interrupted.
    public var succeeded: Bool { errors.isEmpty && !interrupted }

    mutating func add(_ document: Document) {
        documents.append(document)
        documentsDeleted[document.rule.rawValue, default: 0] += 1
    }

    mutating func add(_ blob: BlobGarbage) {
        blobs.append(blob)
        blobsDeleted += 1
        bytesFreed += blob.size
    }

    /// Counts for metrics and the job-run record.
    var counts: [String: Double] {
        var counts: [String: Double] = [
            "applications_considered": Double(applicationsConsidered),
            "applications_withdrawn": Double(applicationsWithdrawn.count),
            "applications_held": Double(applicationsHeld.count),
            "documents_deleted": Double(documents.count),
            "blobs_deleted": Double(blobsDeleted),
            "blobs_in_grace_period": Double(blobsInGracePeriod),
            "bytes_freed": Double(bytesFreed),
            "temp_files_swept": Double(tempFilesSwept),
            "notice_files_deleted": Double(noticeFiles.count),
            "errors": Double(errors.count),
        ]
        for (rule, count) in documentsDeleted { counts["documents_deleted_\(rule)"] = Double(count) }
        return counts
    }

    /// The summary as one JSON object (snake_case keys, ISO 8601 dates).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// The summary for people, one line per deleted thing. Times are Japan time.
    public func text() -> String {
        let would = dryRun ? "would be " : ""
        var out =
            dryRun
            ? "Retention DRY RUN for \(Self.japanTime(now)) by \(operatorUser): nothing was changed.\n"
            : "Retention run for \(Self.japanTime(now)) by \(operatorUser).\n"
        out +=
            "Policy: approved: \(policy.approvedYears) years from the April 1 after approval; rejected or withdrawn: "
            + "\(policy.rejectedDays) days; returned: \(policy.returnedDays) days; grace: blobs \(Self.hours(policy.blobGrace)), "
            + "temp files \(Self.hours(policy.stagingGrace)).\n"
        out += "Applications considered: \(applicationsConsidered)\n"
        out += "Applications \(would)closed as withdrawn: \(applicationsWithdrawn.count)\n"
        for closed in applicationsWithdrawn {
            out += "  \(closed.receiptNumber)  \(closed.applicationId)  returned \(Self.japanTime(closed.returnedAt))\n"
        }
        out += "Applications due but under legal hold (kept): \(applicationsHeld.count)\n"
        for held in applicationsHeld {
            out += "  \(held.receiptNumber)  \(held.applicationId)  \(held.rule.rawValue) due \(Self.japanTime(held.dueAt))  hold: \(held.reason)\n"
        }
        let perRule = RetentionRule.allCases.map { "\($0.rawValue) \(documentsDeleted[$0.rawValue, default: 0])" }.joined(separator: ", ")
        out += "Documents \(would)deleted: \(documents.count) (\(perRule))\n"
        for document in documents {
            out +=
                "  \(document.receiptNumber)  \(document.applicationId)  \(document.slot)  document \(document.documentId)  "
                + "sha256:\(document.sha256)  \(document.size) bytes  [\(document.rule.rawValue)]\n"
        }
        out += "Blobs \(would)deleted: \(blobsDeleted), bytes \(would)freed: \(bytesFreed)\n"
        for blob in blobs {
            out += "  sha256:\(blob.sha256)  \(blob.size) bytes  (\(blob.kind.rawValue))\n"
        }
        if blobsInGracePeriod > 0 {
            out += "Unreferenced blobs kept for the grace period (a later run collects them): \(blobsInGracePeriod)\n"
        }
        out += "Temp files \(would)swept: \(tempFilesSwept)\n"
        out += "Delivered notices' files \(would)deleted: \(noticeFiles.count) (kept \(policy.noticeFileDays) days after delivery)\n"
        for file in noticeFiles {
            out += "  \(file.applicationId)  \(file.file)  sent \(Self.japanTime(file.sentAt))  [\(file.reason)]\n"
        }
        if !skipped.isEmpty {
            out += "Skipped because they changed during the run: \(skipped.count)\n"
            for skip in skipped { out += "  \(skip.subject): \(skip.reason)\n" }
        }
        if interrupted { out += "Interrupted by shutdown; the next run continues.\n" }
        if !errors.isEmpty {
            out += "Errors: \(errors.count)\n"
            for error in errors { out += "  \(error)\n" }
        }
        return out
    }

    static func japanTime(_ date: Date) -> String { OperatorDate.format(date) }

    static func hours(_ seconds: TimeInterval) -> String {
        let hours = seconds / 3600
        return hours == hours.rounded() ? "\(Int(hours)) h" : String(format: "%.2f h", hours)
    }
}
