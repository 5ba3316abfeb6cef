import Foundation

/// What `docintake scrub` found: every stored blob re-hashed, and the blob rows and files
/// compared.
public struct ScrubReport: Sendable, Equatable, Codable {
    /// One damaged or stray blob.
    struct Finding: Sendable, Equatable, Codable {
        var sha256: String
        /// Bytes in the file (0 when there is none).
        var size: Int64
        /// Document rows that reference the blob: these documents are the ones affected.
        var references: Int
        var detail: String
    }

    var startedAt: Date
    var durationSeconds: Double
    var blobsChecked: Int
    var bytesChecked: Int64
    /// Files whose bytes no longer hash to their name (or whose size differs from the row's).
    var corrupt: [Finding]
    /// Rows without a file.
    var missing: [Finding]
    /// Files without a row, older than the grace period.
    var orphans: [Finding]
    /// Files without a row that are younger than the grace period: possibly an upload being
    /// committed this moment, so not reported as damage.
    var youngOrphansIgnored: Int

    /// Nothing corrupt, missing or orphaned.
    public var isClean: Bool { corrupt.isEmpty && missing.isEmpty && orphans.isEmpty }

    /// 0 when clean, 1 when anything is wrong.
    public var exitCode: Int32 { isClean ? 0 : 1 }

    var counts: [String: Double] {
        [
            "blobs_checked": Double(blobsChecked), "bytes_checked": Double(bytesChecked),
            "corrupt_blobs": Double(corrupt.count), "missing_blobs": Double(missing.count),
            "orphan_files": Double(orphans.count), "duration_seconds": durationSeconds,
        ]
    }

    /// The report as one JSON object (snake_case keys, ISO 8601 dates).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var object = (try? JSONSerialization.jsonObject(with: encoder.encode(self))) as? [String: Any] ?? [:]
        object["clean"] = isClean
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The report for people.
    public func text() -> String {
        let mib = Double(bytesChecked) / 1_048_576
        var out =
            "Scrub: \(blobsChecked) blobs, \(String(format: "%.1f", mib)) MiB re-hashed in "
            + String(format: "%.2f", durationSeconds) + " s.\n"
        func section(_ title: String, _ findings: [Finding]) {
            out += "\(title): \(findings.count)\n"
            for finding in findings {
                out += "  sha256:\(finding.sha256)  \(finding.size) bytes  referenced by \(finding.references) document(s)  \(finding.detail)\n"
            }
        }
        section("Corrupt blobs", corrupt)
        section("Missing blobs (a row but no file)", missing)
        section("Orphan files (a file but no row)", orphans)
        if youngOrphansIgnored > 0 {
            out += "Files without a row younger than the grace period (not counted): \(youngOrphansIgnored)\n"
        }
        out += isClean ? "The store is clean.\n" : "The store is NOT clean.\n"
        return out
    }
}
