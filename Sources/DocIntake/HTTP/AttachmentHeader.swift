import Foundation

/// `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 original
/// (RFC 6266 / RFC 8187), so Japanese file names survive the download.
enum AttachmentHeader {
    /// A nameless document (`filename=""` on upload) is offered as `document` in both forms.
    static func attachment(filename: String) -> String {
        let name = filename.isEmpty ? "document" : filename
        return "attachment; filename=\"\(asciiFallback(name))\"; filename*=UTF-8''\(percentEncoded(name))"
    }

    /// Printable ASCII only, without quotes, backslashes or path separators; other characters
    /// become `_`, keeping the extension readable.
    static func asciiFallback(_ name: String) -> String {
        let mapped = name.unicodeScalars.map { scalar -> Character in
            let value = scalar.value
            guard value >= 0x20 && value < 0x7F, !"\"\\/;%".unicodeScalars.contains(scalar) else { return "_" }
            return Character(scalar)
        }
        let fallback = String(mapped)
        return fallback.isEmpty ? "document" : fallback
    }

    /// RFC 8187 `attr-char`s stay; every other UTF-8 byte is `%XX`.
    static func percentEncoded(_ name: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8)
        return name.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
    }
}
