import Antivirus
import DisplayText
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

    /// Judges each file as an upload is judged: the size cap first, then the same Scanner the
    /// upload endpoint uses.
    /// - Parameters:
    ///   - maxFileSize: the cap in bytes, as `serve --max-file-size` sets it.
    ///   - antivirus: clamd, asked about every file the Scanner accepts; nil for no virus scan.
    public static func make(
        files: [String], scanner: DocumentScanner, maxFileSize: Int64 = DomainFacts.defaultMaxFileSize,
        antivirus: ClamdClient? = nil
    ) async -> IdentifyReport {
        var report = IdentifyReport(rows: [], hadIOError: false)
        for file in files {
            do {
                let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64 ?? 0
                if size > maxFileSize {
                    let problem = FormMessages.fileTooLarge(nil, limit: maxFileSize)
                    report.rows.append(
                        Row(
                            file: file, accepted: false, type: nil, mime: nil, reason: problem.code,
                            message: "\(problem.ja) / \(problem.en)"))
                    continue
                }
                let verdict = try scanner.scan(fileAt: file)
                switch verdict.result {
                case .success(let type):
                    var message = "accepted: \(type.rawValue) (libmagic: \(verdict.magicMime ?? "-"))"
                    if let antivirus {
                        // The operator may see the signature; an applicant never does.
                        if case .infected(let signature) = try await antivirus.scan(fileAt: file) {
                            let rejection = Rejection(.infected)
                            report.rows.append(
                                Row(
                                    file: file, accepted: false, type: nil, mime: nil, reason: rejection.reason.rawValue,
                                    message: "clamd: \(signature) FOUND; \(rejection.messageJa) / \(rejection.messageEn)"))
                            continue
                        }
                        message += ", clamd: OK"
                    }
                    report.rows.append(Row(file: file, accepted: true, type: type.rawValue, mime: type.mimeType, reason: nil, message: message))
                case .failure(let rejection):
                    report.rows.append(
                        Row(
                            file: file, accepted: false, type: nil, mime: nil, reason: rejection.reason.rawValue,
                            message: "\(rejection.messageJa) / \(rejection.messageEn)"))
                }
            } catch {
                report.hadIOError = true
                report.rows.append(
                    Row(
                        file: file, accepted: false, type: nil, mime: nil, reason: nil,
                        message: error is ClamdError ? "not scanned: \(error)" : "cannot read: \(error)"))
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
    case string(String)
    case bool(Bool)
    case null

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}
