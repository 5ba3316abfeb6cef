import Foundation

/// Times as reviewers in Japan read them: Japan time with its offset, `2026-11-26 13:29:40 +09:00`.
enum DisplayTime {
    private static let japan = TimeZone(identifier: "Asia/Tokyo") ?? TimeZone(secondsFromGMT: 9 * 3600)!

    static func jst(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = japan
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = japan.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d %@%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!,
            sign, abs(offset) / 3600, abs(offset) % 3600 / 60)
    }
}
