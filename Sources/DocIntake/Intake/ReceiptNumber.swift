import Foundation
import Storage

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

    /// `text` as a 受付番号 if it reads as one: full-width characters, lower case and the letters
    /// people confuse with digits when reading a number aloud (O → 0, I and L → 1) are accepted.
    static func normalised(_ text: String) -> String? {
        let upper = text.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        let parts = upper.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 8, parts[0].allSatisfy(\.isASCIIDigit), parts[1].count == 6 else { return nil }
        let suffix = parts[1].map { character -> Character in
            switch character {
            case "O": "0"
            case "I", "L": "1"
            default: character
            }
        }
        guard suffix.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return parts[0] + "-" + String(suffix)
    }
}

/// An application as people name it: by its id, or by the 受付番号 clinics quote in mail and on
/// the phone.
public enum ApplicationHandle {
    /// The id of the application `handle` names, or nil when none does.
    public static func resolve(_ handle: String, in metadata: any MetadataStore) async throws -> String? {
        if try await metadata.application(id: handle) != nil { return handle }
        guard let receipt = ReceiptNumber.normalised(handle) else { return nil }
        return try await metadata.applicationId(receiptNumber: receipt)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
