import Crypto
import Foundation
import NIOCore
import Scanner

/// The applicant's web form: its pages and their static files, read from the target's resources
/// once at start-up and kept in memory (a few tens of KiB).
struct WebAssets: Sendable {
    /// One file as served: its bytes, its media type and a validator that changes with its content.
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
        /// A strong ETag: the first 16 hex digits of the content's SHA-256.
        let etag: String
    }

    /// `/assets/<name>`: the style sheet, the scripts and the icon.
    let files: [String: Asset]
    /// `GET /`: the application form (入力 → 入力項目確認 → 受付).
    let formPage: Asset
    /// `GET /applications/{id}`: the applicant's status page.
    let statusPage: Asset

    private static let mediaTypes = [
        "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "html": "text/html; charset=utf-8",
        "svg": "image/svg+xml",
    ]

    /// Loads the files under `Assets/` and renders the two pages for this server's file cap.
    init(maxFileSize: Int64, directory: URL? = nil) throws {
        let directory = directory ?? Self.installedDirectory
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("form.html").path) else {
            throw WebAssetsError.missing(directory.path)
        }
        var files: [String: Asset] = [:]
        for name in ["form.css", "common.js", "tus.js", "form.js", "status.js", "favicon.svg"] {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            files[name] = Self.asset(data, name: name)
        }
        // Every page names its assets with their ETag, so a new release is never served stale
        // while an unchanged file can be cached for a long time.
        var values = Self.templateValues(maxFileSize: maxFileSize)
        for (name, asset) in files { values["asset \(name)"] = "/assets/\(name)?v=\(asset.etag)" }
        func page(_ name: String) throws -> Asset {
            let template = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            return Self.asset(Data(try Self.render(template, values: values).utf8), name: name)
        }
        self.files = files
        formPage = try page("form.html")
        statusPage = try page("status.html")
    }

    /// `DocIntake_DocIntake.resources/Assets` beside the running executable, where SwiftPM puts
    /// it and where an install must copy it. Found by hand, because `Bundle.module` ends the process
    /// when the folder is missing instead of letting `serve` say what to do.
    static var installedDirectory: URL {
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return executable.resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("DocIntake_DocIntake.resources").appendingPathComponent("Assets")
    }

    private static func asset(_ data: Data, name: String) -> Asset {
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        let ext = String(name.split(separator: ".").last ?? "")
        return Asset(
            body: ByteBuffer(bytes: data), contentType: mediaTypes[ext] ?? "application/octet-stream",
            etag: String(digest.prefix(16)))
    }

    /// The values a page template may name as `{{name}}`, HTML-escaped. Choices come from
    /// DomainFacts so that the page and the server's checks never disagree.
    static func templateValues(maxFileSize: Int64) -> [String: String] {
        let prefectures = DomainFacts.prefectures.sorted { $0.key < $1.key }
            .map { #"<option value="\#(escape($0.key))">\#(escape($0.key)) \#(escape($0.value))</option>"# }
        let lineTypes = LineTypes.names.sorted { $0.key < $1.key }.map {
            #"<label class="choice"><input type="radio" name="line_type" value="\#(escape($0.key))" aria-describedby="line_type-error"> \#(escape($0.key)): \#(escape($0.value))</label>"#
        }
        let lineTypeOptions = LineTypes.names.sorted { $0.key < $1.key }
            .map { #"<option value="\#(escape($0.key))">\#(escape($0.key)): \#(escape($0.value))</option>"# }
        return [
            "max_file_size": String(maxFileSize),
            "line_type_options": lineTypeOptions.joined(separator: "\n"),
            "max_file_size_text": FileSizeText.japanese(maxFileSize),
            "max_file_size_bytes": FileSizeText.bytesText(maxFileSize),
            "prefecture_options": prefectures.joined(separator: "\n"),
            "line_type_choices": lineTypes.joined(separator: "\n"),
            "line_type_requiring_customer_id": escape(DomainFacts.lineTypeRequiringCustomerId),
            "prefectures_json": escape(json(DomainFacts.prefectures)),
            "line_types_json": escape(json(LineTypes.names)),
            "prefix_rule_json": escape(prefixRuleJSON()),
            "vocabulary_json": escape(vocabularyJSON()),
        ]
    }

    /// The portal's names for the codes the API sends, and the fields a returned application may
    /// correct, for the pages' scripts: declared once in DocIntakeAPI, never copied into a script.
    static func vocabularyJSON() -> String {
        struct Vocabulary: Encodable {
            let slots: [String: String]
            let statuses: [String: String]
            let institutionKinds: [String: String]
            let applicationKinds: [String: String]
            let certificateFeePayments: [String: String]
            let correctable: [String]
        }
        func names<T: CaseIterable & RawRepresentable<String>>(_: T.Type, _ name: (T) -> String) -> [String: String] {
            Dictionary(uniqueKeysWithValues: T.allCases.map { ($0.rawValue, name($0)) })
        }
        let vocabulary = Vocabulary(
            slots: names(DocumentSlot.self, \.japaneseName), statuses: names(ApplicationStatus.self, \.japaneseName),
            institutionKinds: names(InstitutionKind.self, \.japaneseName), applicationKinds: names(ApplicationKind.self, \.japaneseName),
            certificateFeePayments: names(CertificateFeePayment.self, \.numberedName), correctable: FormField.correctable.map(\.rawValue))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: (try? encoder.encode(vocabulary)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// The Scanner's prefix stage as the form's script applies it to a chosen file's first bytes,
    /// with the messages the server would answer, so the applicant hears the same words earlier.
    private static func prefixRuleJSON() -> String {
        struct Rule: Encodable {
            let patterns: [[String]]
            let damagedDepth: Int
            let messages: [String: String]
        }
        let messages = [RejectionReason.typeNotAllowed, .corrupt].reduce(into: [String: String]()) {
            $0[$1.rawValue] = Rejection($1).messageJa
        }
        let rule = Rule(patterns: DocumentScanner.prefixPatterns, damagedDepth: DocumentScanner.damagedSignatureDepth, messages: messages)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: (try? encoder.encode(rule)) ?? Data("{}".utf8), as: UTF8.self)
    }

    private static func json(_ names: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(names)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Replaces each `{{name}}`; a name the template uses but `values` lacks is an error, so a
    /// typo cannot reach an applicant as literal braces.
    static func render(_ template: String, values: [String: String]) throws -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { throw WebAssetsError.badTemplate("unclosed {{") }
            let name = String(rest[open.upperBound..<close.lowerBound])
            guard let value = values[name] else { throw WebAssetsError.badTemplate("unknown value {{\(name)}}") }
            output += value
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// The web form's files could not be loaded: the binary was moved away from its resource bundle,
/// or a template is broken.
enum WebAssetsError: Error, CustomStringConvertible {
    case missing(String)
    case badTemplate(String)

    var description: String {
        switch self {
        case .missing(let path):
            "the web form's files are not at \(path): install DocIntake_DocIntake.resources from the build folder beside the docintake binary"
        case .badTemplate(let reason): "web form template: \(reason)"
        }
    }
}
