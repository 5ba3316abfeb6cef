import Foundation
import Scanner

/// The name an applicant gave a document, made safe to show a reviewer and to offer as a download
/// name. It is only ever displayed: blobs are stored by their SHA-256, never by this name.
enum DisplayFileName {
    /// Longest stored name in UTF-8 bytes; longer names are shortened in the stem so the
    /// extension survives (a Japanese name of 86 characters is already 258 bytes).
    static let maxBytes = 240

    /// The last path component (old browsers send `C:\Users\…\name.pdf`), in NFC, without
    /// control characters (NUL, CR, LF, ESC, C1), format characters (the right-to-left override
    /// U+202E that makes `invoice\u{202E}fdp.exe` read as `invoiceexe.pdf`, zero-width
    /// characters) or line separators, trimmed, at most ``maxBytes``. Empty stays empty (a
    /// browser's blank file input); a name with nothing left becomes `document`.
    static func sanitised(_ raw: String) -> String {
        guard !raw.isEmpty else { return "" }
        let lastComponent = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var scalars = String.UnicodeScalarView()
        for scalar in lastComponent.precomposedStringWithCanonicalMapping.unicodeScalars where !isUnsafe(scalar) {
            scalars.append(scalar)
        }
        var name = String(scalars).trimmingCharacters(in: .whitespaces)
        while name.hasPrefix(".") { name.removeFirst() }
        if name.isEmpty { return "document" }
        return shortened(name)
    }

    /// The name a download is saved under: the applicant's, with the extension of what the
    /// content is. A `permit.xlsm` that was accepted as a PDF must open as the PDF it is, never in
    /// the program its old extension names; the original name stays in the metadata and is shown.
    static func forDownload(_ name: String, type: DocumentType) -> String {
        let stem = name.isEmpty ? "document" : name
        guard let dot = stem.lastIndex(of: "."), dot > stem.startIndex else { return stem + "." + type.fileExtension }
        let suffix = stem[stem.index(after: dot)...]
        if suffix.lowercased() == type.fileExtension { return stem }
        let looksLikeExtension = (1...5).contains(suffix.count) && suffix.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return (looksLikeExtension ? String(stem[..<dot]) : stem) + "." + type.fileExtension
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: true
        default: false
        }
    }

    private static func shortened(_ name: String) -> String {
        guard name.utf8.count > maxBytes else { return name }
        var suffix = ""
        if let dot = name.lastIndex(of: "."), name[dot...].utf8.count <= 16 {
            suffix = String(name[dot...])
        }
        var stem = ""
        for character in name.dropLast(suffix.count) {
            guard stem.utf8.count + character.utf8.count + suffix.utf8.count <= maxBytes else { break }
            stem.append(character)
        }
        return stem + suffix
    }
}
