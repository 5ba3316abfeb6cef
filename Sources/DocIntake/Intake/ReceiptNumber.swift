import Foundation

/// 受付番号: `YYYYMMDD-XXXXXX`, the Japan date of receipt and six Crockford base-32 characters
/// (no I, L, O or U, so it reads aloud over the phone without confusion).
enum ReceiptNumber {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    static func generate(at date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        // Japan has no daylight saving, so a fixed offset is right even without tzdata.
        calendar.timeZone = TimeZone(identifier: "Asia/Tokyo") ?? TimeZone(secondsFromGMT: 9 * 3600)!
        let day = calendar.dateComponents([.year, .month, .day], from: date)
        let suffix = String((0..<6).map { _ in alphabet.randomElement()! })
        return String(format: "%04d%02d%02d-", day.year!, day.month!, day.day!) + suffix
    }
}
