import Foundation

/// Turns a file name an applicant chose into one that is safe to create on a reviewer's machine,
/// whether it runs Linux, macOS or Windows, while keeping Japanese (and any other script) intact.
public enum FileNameSanitiser {
    /// The cap on a saved file's name in UTF-8 bytes: under every common file system's 255, with
    /// room for the `.part` suffix of the temp file.
    public static let maxBytes = 200

    /// Windows refuses these as a file's stem whatever the extension (`CON.txt`), case-insensitively.
    static let reservedStems: Set<String> = {
        var names: Set<String> = ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
        for suffix in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³"] {
            names.insert("COM" + suffix)
            names.insert("LPT" + suffix)
        }
        return names
    }()

    /// `<receipt number>_<slot>_<original name>`, each part sanitised, at most `maxBytes` bytes,
    /// shortened in the original name's stem so that its extension survives.
    public static func downloadName(receiptNumber: String, slot: String, original: String) -> String {
        // The server's own values are sanitised too: the client trusts no name it did not make.
        let prefix = truncate(sanitise(receiptNumber), toBytes: 64) + "_" + truncate(sanitise(slot), toBytes: 64) + "_"
        let name = sanitise(original)
        guard prefix.utf8.count + name.utf8.count > maxBytes else { return prefix + name }
        let (stem, suffix) = splitExtension(name)
        let budget = maxBytes - prefix.utf8.count - suffix.utf8.count
        return prefix + truncate(stem, toBytes: budget) + suffix
    }

    /// One path component with nothing in it that a file system or a shell would read specially:
    /// no path separators, no control, format (bidi overrides such as U+202E, zero-width) or
    /// separator characters, none of Windows' reserved characters, no leading dots (hidden files),
    /// no trailing dots or spaces (Windows drops them), and not a Windows device name.
    public static func sanitise(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        // NFC, because macOS hands out decomposed names and the same name should compare equal.
        for scalar in name.precomposedStringWithCanonicalMapping.unicodeScalars {
            if TerminalText.isUnsafe(scalar) { continue }
            scalars.append("/\\<>:\"|?*".unicodeScalars.contains(scalar) ? "_" : scalar)
        }
        var text = String(scalars)
        while let first = text.first, first == "." || first.isWhitespace { text.removeFirst() }
        while let last = text.last, last == "." || last.isWhitespace { text.removeLast() }
        if text.isEmpty { return "document" }
        let stem = text.split(separator: ".", maxSplits: 1).first.map(String.init) ?? text
        if reservedStems.contains(stem.trimmingCharacters(in: .whitespaces).uppercased()) { text = "_" + text }
        return text
    }

    /// (`report`, `.pdf`) from `report.pdf`; no extension when there is no dot, the dot leads, or
    /// what follows is too long to be one.
    static func splitExtension(_ name: String) -> (stem: String, suffix: String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        let suffix = String(name[dot...])
        guard suffix.utf8.count <= 16 else { return (name, "") }
        return (String(name[..<dot]), suffix)
    }

    /// The longest prefix of `text`, in whole characters, that fits in `bytes` bytes of UTF-8.
    static func truncate(_ text: String, toBytes bytes: Int) -> String {
        var out = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            guard used + size <= bytes else { break }
            out.append(character)
            used += size
        }
        return out
    }
}
