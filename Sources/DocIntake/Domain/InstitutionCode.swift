/// 医療機関等コード: 郡市区番号(2) + 医療機関番号(4) + 検証番号(1).
public enum InstitutionCode {
    /// The expected 検証番号 of a 7-digit code, by the Luhn rule (モジュラス10 ウエイト2・1分割) over
    /// prefecture(2) + 点数表コード(1) + the code's first 6 digits. Nil when the score-table code is unknown.
    public static func expectedCheckDigit(prefecture: String, scoreTableCode: String?, code: String) -> Character? {
        guard let scoreTableCode else { return nil }
        let body = prefecture + scoreTableCode + code.prefix(6)
        let digits = body.compactMap(\.wholeNumberValue)
        guard digits.count == 9 else { return nil }
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            let product = digit * (offset % 2 == 0 ? 2 : 1)
            sum += product / 10 + product % 10
        }
        return Character(String((10 - sum % 10) % 10))
    }

    /// Whether the code's last digit matches its check digit; nil when it cannot be computed.
    /// Legacy and test codes fail the rule, so a mismatch is a warning, never a rejection.
    public static func checkDigitMatches(prefecture: String, scoreTableCode: String?, code: String) -> Bool? {
        guard let expected = expectedCheckDigit(prefecture: prefecture, scoreTableCode: scoreTableCode, code: code) else {
            return nil
        }
        return code.last == expected
    }
}
