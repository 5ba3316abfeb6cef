/// Why an upload is refused; the raw value is the stable code that API clients and logs see.
public enum RejectionReason: String, Sendable, Codable, CaseIterable {
    /// The file has no bytes at all.
    case empty
    /// The content is not PDF, PNG, .xls or .xlsx, whatever its name says.
    case typeNotAllowed = "type_not_allowed"
    /// An Excel workbook that carries VBA or Excel 4.0 macros.
    case macroEnabled = "macro_enabled"
    /// A password-encrypted Office file.
    case encrypted
    /// The file ends before its structure does.
    case truncated
    /// The structure is inconsistent, so the file cannot be trusted or read.
    case corrupt
    /// A ZIP whose entry names escape their folder, or whose sizes mark it as a decompression bomb.
    case zipUnsafe = "zip_unsafe"
    /// A PDF or PNG that also carries another format's structure (a ZIP, an Office container, a program),
    /// or data after its logical end: one file that different readers open as different things.
    case polyglot
    /// A PNG wider, taller or with more pixels than ``ScanLimits`` allows.
    case imageTooLarge = "image_too_large"
    /// The antivirus scan found malware. The Scanner never decides this itself; the service
    /// reports clamd's verdict in the same vocabulary, so an applicant reads it like any other.
    case infected
}
