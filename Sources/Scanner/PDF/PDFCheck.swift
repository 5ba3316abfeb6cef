/// The PDF structural check: an end-of-file marker near the end (the prefix stage has checked the `%PDF-` header).
///
/// A PDF is not parsed further: viewers tolerate much, and a truncated upload is what this must catch.
enum PDFCheck {
    /// How far from the end `%%EOF` may sit: writers add newlines, whitespace or a few stray bytes after it.
    static let tailLength = 1024
    static let endMarker = Array("%%EOF".utf8)

    static func check(_ file: FileReader) throws -> DocumentType {
        let tailStart = max(0, file.size - Int64(tailLength))
        let tail = try file.read(at: tailStart, count: tailLength)
        guard tail.firstRange(of: endMarker) != nil else {
            throw Rejection(.truncated, detail: "PDF: no %%EOF in the last \(tailLength) bytes")
        }
        return .pdf
    }
}
