import Foundation
import Scanner

/// The result of `docintake identify`: one row per file, as an operator checking a file by hand
/// reads it, or as JSON lines for scripts.
public struct IdentifyReport: Sendable {
    /// One file's verdict.
    public struct Row: Sendable, Codable, Equatable {
        /// The path as given.
        public var file: String
        /// Whether an upload of it would be accepted.
        public var accepted: Bool
        /// `pdf`, `png`, `xls` or `xlsx` when accepted.
        public var type: String?
        /// The canonical MIME type when accepted.
        public var mime: String?
        /// The rejection's stable code when rejected.
        public var reason: String?
        /// What an operator reads: the verdict, or what the applicant would be told (ja / en).
        public var message: String
    }

    /// One row per file, in the order given.
    public var rows: [Row]
    /// True when a file could not be read at all.
    public var hadIOError: Bool

    /// Scans each file with the same Scanner the upload endpoint uses.
    public static func make(files: [String], scanner: DocumentScanner) -> IdentifyReport {
        var report = IdentifyReport(rows: [], hadIOError: false)
        for file in files {
            do {
                let verdict = try scanner.scan(fileAt: file)
                switch verdict.result {
                case .success(let type):
                    report.rows.append(Row(file: file, accepted: true, type: type.rawValue, mime: type.mimeType, reason: nil,
                                           message: "accepted: \(type.rawValue) (libmagic: \(verdict.magicMime ?? "-"))"))
                case .failure(let rejection):
                    report.rows.append(Row(file: file, accepted: false, type: nil, mime: nil, reason: rejection.reason.rawValue,
                                           message: "\(rejection.messageJa) / \(rejection.messageEn)"))
                }
            } catch {
                report.hadIOError = true
                report.rows.append(Row(file: file, accepted: false, type: nil, mime: nil, reason: nil,
                                       message: "cannot read: \(error)"))
            }
        }
        return report
    }

    /// 0 when every file is accepted, 1 when any is rejected, 2 when any could not be read.
    public var exitCode: Int32 {
        if hadIOError { return 2 }
        return rows.allSatisfy(\.accepted) ? 0 : 1
    }

    /// One JSON object per line.
    public func jsonLines() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return rows.map { row in
            // Explicit nulls: scripts read every key on every line.
            var object: [String: JSONValue] = [
                "file": .string(row.file), "accepted": .bool(row.accepted), "message": .string(row.message),
            ]
            object["type"] = row.type.map(JSONValue.string) ?? .null
            object["mime"] = row.mime.map(JSONValue.string) ?? .null
            object["reason"] = row.reason.map(JSONValue.string) ?? .null
            return String(decoding: (try? encoder.encode(object)) ?? Data(), as: UTF8.self) + "\n"
        }.joined()
    }

    /// A table for people.
    public func table() -> String {
        func verdict(_ row: Row) -> String { row.accepted ? "accepted \(row.type ?? "")" : "rejected \(row.reason ?? "io_error")" }
        // File names are often Japanese: pad by display columns (East Asian Width).
        func pad(_ text: String, _ width: Int) -> String { DisplayWidth.pad(text, to: width) }
        let fileWidth = min(max(rows.map { DisplayWidth.of($0.file) }.max() ?? 4, 4), 60)
        let verdictWidth = max(rows.map { DisplayWidth.of(verdict($0)) }.max() ?? 7, 7)
        var out = pad("FILE", fileWidth) + "  " + pad("VERDICT", verdictWidth) + "  DETAIL\n"
        for row in rows {
            out += pad(row.file, fileWidth) + "  " + pad(verdict(row), verdictWidth) + "  " + row.message + "\n"
        }
        return out
    }
}

/// The few JSON values `jsonLines` writes.
enum JSONValue: Encodable {
    case string(String), bool(Bool), null

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}
