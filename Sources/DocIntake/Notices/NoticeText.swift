import Foundation

/// How values read in a notice: months as 2027年4月 (sizes are `FileSizeText.bytesText`, as the web form writes them).
enum NoticeText {
    /// `2027-04` → `2027年4月`; anything else unchanged.
    static func month(_ value: String) -> String {
        let parts = value.split(separator: "-")
        guard parts.count == 2, let month = Int(parts[1]) else { return value }
        return "\(parts[0])年\(month)月"
    }
}
