import Foundation

/// How values read in a notice: months as 2027年4月, sizes with digit grouping.
enum NoticeText {
    /// `2027-04` → `2027年4月`; anything else unchanged.
    static func month(_ value: String) -> String {
        let parts = value.split(separator: "-")
        guard parts.count == 2, let month = Int(parts[1]) else { return value }
        return "\(parts[0])年\(month)月"
    }

    /// `1234567` → `1,234,567 バイト`, independent of the process's locale; as the web form writes it.
    static func size(_ bytes: Int64) -> String {
        FileSizeText.bytesText(bytes)
    }
}
