import Foundation

/// How the form's raw text becomes a value to check.
enum FormValue {
    /// Half-width fields: users type ０１２３ or ＣＡＦ, so NFKC-normalise, then trim.
    static func normalised(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let value = raw.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// A month as people write it, `2027/3` or `2027年3月` (any width), as `2027-03`; anything
    /// else normalised only, for the format check to judge.
    static func yearMonth(_ raw: String?) -> String? {
        guard let value = normalised(raw) else { return nil }
        let pattern = /^(\d{4})\s*(?:[-\/.]|年)\s*(\d{1,2})\s*月?$/
        guard let match = value.wholeMatch(of: pattern), let month = Int(match.2) else { return value }
        return "\(match.1)-" + (month < 10 ? "0\(month)" : "\(month)")
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

    /// A pragmatic address check: a dot-atom local part, one `@`, a dotted domain. It keeps out
    /// anything that could smuggle a second recipient (`,` `;` `<>`) into a notice's headers.
    static func isEmailAddress(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.".utf8)
        let domainAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.".utf8)
        guard value.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            parts[0].utf8.allSatisfy(localAllowed.contains), parts[1].utf8.allSatisfy(domainAllowed.contains),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !parts[1].contains("..")
        else { return false }
        return true
    }

    /// Control and format characters (including bidi overrides) have no place in a name that
    /// reviewers read and notices repeat.
    static func hasControlCharacters(_ value: String) -> Bool {
        value.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }
    }
}
