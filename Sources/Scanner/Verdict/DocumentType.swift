/// A document type that the intake accepts, as judged from the file's content.
public enum DocumentType: String, Sendable, Codable, CaseIterable {
    /// A PDF document.
    case pdf
    /// A PNG image.
    case png
    /// An Excel 97–2003 workbook (BIFF in an OLE2/CFB container).
    case xls
    /// An Excel 2007+ workbook (Office Open XML spreadsheet in a ZIP).
    case xlsx

    /// The canonical MIME type to store and to serve the document with.
    public var mimeType: String {
        switch self {
        case .pdf: "application/pdf"
        case .png: "image/png"
        case .xls: "application/vnd.ms-excel"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
    }

    /// The file extension (without the dot) that matches the content, for the reviewer's download.
    public var fileExtension: String { rawValue }
}
