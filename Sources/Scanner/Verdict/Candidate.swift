/// A container kind that the first bytes of a file point to; the final stage confirms or refutes it.
public enum Candidate: String, Sendable, CaseIterable {
    /// `%PDF-` and a version digit: may become ``DocumentType/pdf``.
    case pdf
    /// The PNG signature: may become ``DocumentType/png``.
    case png
    /// The OLE2/CFB signature: may become ``DocumentType/xls`` (or an encrypted .xlsx, a .doc, …).
    case ole2
    /// A ZIP local file header: may become ``DocumentType/xlsx`` (or a .docx, a plain archive, …).
    case zip
}
