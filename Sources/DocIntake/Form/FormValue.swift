import Foundation

/// How the form's raw text becomes a value to check.
enum FormValue {
    /// Half-width fields: users type ０１２３ or ＣＡＦ, so NFKC-normalise, then trim.
    static func normalised(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let value = raw.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// Free text such as the institution name: trimmed only, so its own characters are kept.
    static func trimmed(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// Checkboxes as HTML forms send them: `on`, `true` or `1`; absent means false.
    static func checkbox(_ raw: String?) -> Bool {
        guard let value = normalised(raw)?.lowercased() else { return false }
        return value == "on" || value == "true" || value == "1"
    }

    static func isDigits(_ value: String, count: Int) -> Bool {
        value.utf8.count == count && value.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// `YYYY-MM` with a real month.
    static func isYearMonth(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, isDigits(String(parts[0]), count: 4), isDigits(String(parts[1]), count: 2),
              let month = Int(parts[1]), (1...12).contains(month), let year = Int(parts[0]), year >= 2000
        else { return false }
        return true
    }

    /// A pragmatic address check: one `@`, no spaces, a dot in the domain.
    static func isEmailAddress(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard value.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !value.contains(where: { $0.isWhitespace || $0.isNewline })
        else { return false }
        return true
    }
}
