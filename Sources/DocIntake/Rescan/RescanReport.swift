import Foundation

/// What `docintake rescan` did: how much it scanned again, and what it quarantined.
public struct RescanReport: Sendable, Equatable, Codable {
    /// A document a newer signature found, now quarantined.
    struct Quarantined: Sendable, Equatable, Codable {
        var applicationId: String
        var receiptNumber: String
        var slot: String
        var sha256: String
        /// For the operator; never shown to the applicant.
        var signature: String
    }

    /// A document whose blob could not be read whole and intact (missing or corrupt): not scanned.
    struct Unreadable: Sendable, Equatable, Codable {
        var applicationId: String
        var slot: String
        var sha256: String
        var detail: String
    }

    var startedAt: Date
    var durationSeconds: Double = 0
    var documentsScanned = 0
    var blobsScanned = 0
    var bytesScanned: Int64 = 0
    var quarantined: [Quarantined] = []
    var applicationsReturned = 0
    var unreadable: [Unreadable] = []
    /// Stopped early by a shutdown; the next run starts again from the beginning.
    var interrupted = false
    /// Why the run stopped, when clamd failed it.
    var failure: String?

    init(startedAt: Date) {
        self.startedAt = startedAt
    }

    /// `ok`, `problems` (something was quarantined or could not be read) or `failed`.
    var outcome: String {
        failure != nil ? "failed" : quarantined.isEmpty && unreadable.isEmpty && !interrupted ? "ok" : "problems"
    }

    /// 0 when everything scanned clean, 1 when something was quarantined or unreadable.
    public var exitCode: Int32 { outcome == "ok" ? 0 : 1 }

    var counts: [String: Double] {
        [
            "documents_scanned": Double(documentsScanned), "blobs_scanned": Double(blobsScanned),
            "bytes_scanned": Double(bytesScanned), "documents_quarantined": Double(quarantined.count),
            "unreadable_documents": Double(unreadable.count), "duration_seconds": durationSeconds,
        ]
    }

    /// The report as one JSON object (snake_case keys, ISO 8601 dates).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }

    /// The report for people.
    public func text() -> String {
        let mib = Double(bytesScanned) / 1_048_576
        var out =
            "Rescan: \(documentsScanned) documents (\(blobsScanned) blobs, \(String(format: "%.1f", mib)) MiB) scanned in "
            + String(format: "%.2f", durationSeconds) + " s.\n"
        out += "Quarantined: \(quarantined.count) document(s); \(applicationsReturned) application(s) returned to the applicant.\n"
        for item in quarantined {
            out += "  \(item.receiptNumber)  \(item.slot)  sha256:\(item.sha256)  \(item.signature)\n"
        }
        if !unreadable.isEmpty {
            out += "Not scanned, blob unreadable (run docintake scrub): \(unreadable.count)\n"
            for item in unreadable { out += "  \(item.applicationId)  \(item.slot)  sha256:\(item.sha256)  \(item.detail)\n" }
        }
        if interrupted { out += "Interrupted by shutdown before the end.\n" }
        return out
    }
}

/// What the applicant is told about a quarantined document: the return's reason, in Japanese
/// like every reviewer's reason, and never the signature.
enum RescanMessages {
    static func returnReason(_ slots: [DocumentSlot]) -> String {
        let names = slots.map { "「\($0.japaneseName)」" }.joined(separator: "と")
        return "最新のウイルス定義による再検査で、提出された\(names)からウイルスが検出されたため、この書類を隔離しました。"
            + "お使いのパソコンをウイルス対策ソフトで確認したうえで、元の書類からファイルを作り直し、差し替えてから再申請してください。"
    }
}
