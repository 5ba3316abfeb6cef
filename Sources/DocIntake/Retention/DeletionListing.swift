import Foundation
import Storage

/// The deletion records for `docintake deletions`: what retention deleted, which bytes, when,
/// under which rule and by whom.
public struct DeletionListing: Sendable {
    struct Row: Sendable, Equatable, Codable {
        var record: DeletionRecord
        var receiptNumber: String
    }

    var rows: [Row]

    /// The records of one application, or all.
    public static func make(metadata: any MetadataStore, applicationId: String? = nil) async throws -> DeletionListing {
        var receipts: [String: String] = [:]
        var rows: [Row] = []
        for record in try await metadata.deletionRecords(applicationId: applicationId) {
            if receipts[record.applicationId] == nil {
                receipts[record.applicationId] = try await metadata.application(id: record.applicationId)?.receiptNumber ?? "-"
            }
            rows.append(Row(record: record, receiptNumber: receipts[record.applicationId]!))
        }
        return DeletionListing(rows: rows)
    }

    /// One JSON object per line.
    public func jsonLines() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return rows.map { row in
            var object = (try? JSONSerialization.jsonObject(with: encoder.encode(row.record))) as? [String: Any] ?? [:]
            object["receipt_number"] = row.receiptNumber
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self) + "\n"
        }.joined()
    }

    /// A table for people; times in Japan time.
    public func table() -> String {
        var out =
            "DELETED AT (JST)           RECEIPT          APPLICATION                           SLOT                  DOC  RULE       BY                SHA-256\n"
        for row in rows {
            let r = row.record
            out +=
                [
                    OperatorDate.format(r.deletedAt).padding(toLength: 25, withPad: " ", startingAt: 0),
                    row.receiptNumber.padding(toLength: 15, withPad: " ", startingAt: 0),
                    r.applicationId.padding(toLength: 36, withPad: " ", startingAt: 0),
                    r.slot.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0),
                    String(r.documentId).padding(toLength: 3, withPad: " ", startingAt: 0),
                    r.rule.padding(toLength: 9, withPad: " ", startingAt: 0),
                    r.actor.padding(toLength: 16, withPad: " ", startingAt: 0),
                    r.sha256,
                ].joined(separator: "  ") + "\n"
        }
        return out
    }
}
