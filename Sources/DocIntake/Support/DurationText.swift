import Foundation

/// Durations as operators write them in flags and units: `90s`, `30m`, `24h`, `7d`, or
/// combinations such as `1h30m`. A bare number is seconds.
public enum DurationText {
    /// The duration, or nil when the text is not one (or is not positive).
    public static func parse(_ text: String) -> Duration? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(text) { return seconds > 0 ? .seconds(seconds) : nil }
        var total: Int64 = 0
        var number = ""
        for character in text {
            if character.isASCII && character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Int64(number) else { return nil }
            let unit: Int64
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            default: return nil
            }
            let (product, overflow) = value.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            total += product
            number = ""
        }
        guard number.isEmpty, total > 0 else { return nil }
        return .seconds(total)
    }
}
