import Foundation

/// Dates as operators type them (`docintake retention --now`): ISO 8601 with a time and an
/// offset (`2031-04-01T09:30:00+09:00`, `2031-04-01T00:30:00Z`), or a bare day (`2031-04-01`),
/// read as midnight Japan time, the time zone the retention rules count in.
public enum OperatorDate {
    /// The date `text` names, or nil.
    public static func parse(_ text: String) -> Date? {
        let text = text.trimmingCharacters(in: .whitespaces)
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = full.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        day.timeZone = DomainFacts.retentionTimeZone
        return day.date(from: text)
    }

    /// A date for an operator to read: ISO 8601 in Japan time.
    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = DomainFacts.retentionTimeZone
        return formatter.string(from: date)
    }
}
