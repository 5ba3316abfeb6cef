/// A byte count as an applicant reads it: 「100MB」, or 「1,000 バイト」 when it is not a whole
/// number of MB (the portal says "MB" for 2^20 bytes).
enum FileSizeText {
    static func japanese(_ bytes: Int64) -> String {
        let mebibyte: Int64 = 1024 * 1024
        guard bytes >= mebibyte, bytes % mebibyte == 0 else { return bytesText(bytes) }
        return "\(bytes / mebibyte)MB"
    }

    /// 「104,857,600 バイト」
    static func bytesText(_ value: Int64) -> String {
        var digits = Array(String(value))
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: index)
            index -= 3
        }
        return String(digits) + " バイト"
    }
}
