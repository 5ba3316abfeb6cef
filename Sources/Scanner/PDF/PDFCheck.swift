/// The PDF structural check, on the file's tail only (the prefix stage has checked the `%PDF-` header):
/// an end-of-file marker at the end, and nothing of another format around it.
///
/// A PDF is not parsed further: viewers tolerate much, and a truncated upload is what this must catch,
/// along with polyglots: a ZIP whose end record a ZIP reader finds (``EmbeddedZIP``), or anything but
/// white space after the last `%%EOF`.
enum PDFCheck {
    /// Acrobat looks for `%%EOF` within the last 1,024 bytes; the same bound holds for what may follow it.
    static let tailLength = 1024
    static let endMarker = Array("%%EOF".utf8)
    /// PDF white space (ISO 32000-1, 7.2.2): what writers pad the end with. Nothing else may follow `%%EOF`.
    static let whiteSpace: Set<UInt8> = [0x00, 0x09, 0x0A, 0x0C, 0x0D, 0x20]

    static func check(_ file: FileReader) throws -> DocumentType {
        let (tail, tailStart) = try EmbeddedZIP.tail(of: file)
        if let archive = try EmbeddedZIP.find(in: file, tail: tail, tailStart: tailStart) {
            throw Rejection(.polyglot, detail: "PDF that is also \(archive)")
        }
        guard let marker = lastMarker(in: tail) else {
            throw Rejection(.truncated, detail: "PDF: no %%EOF in the last \(tail.count) bytes")
        }
        let after = tail[(marker + endMarker.count)...]
        guard after.count > tailLength || after.contains(where: { !whiteSpace.contains($0) }) else { return .pdf }
        let what = after.firstIndex { !whiteSpace.contains($0) }.flatMap { ForeignHeader.format(startingAt: after[$0...]) }
        throw Rejection(.polyglot, detail: "PDF: \(after.count) bytes after the last %%EOF" + (what.map { ", starting with: \($0)" } ?? ""))
    }

    private static func lastMarker(in tail: [UInt8]) -> Int? {
        var index = tail.count - endMarker.count
        while index >= 0 {
            if tail[index] == 0x25, tail[index..<index + endMarker.count].elementsEqual(endMarker) { return index }
            index -= 1
        }
        return nil
    }
}
