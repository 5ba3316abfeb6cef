/// The declarations of an OPC package's `[Content_Types].xml` (ECMA-376 Part 2): which content type
/// each part, or each file extension, has.
///
/// This is a small tolerant scanner, not an XML parser: it reads the attributes of `Default` and
/// `Override` elements, which is all the type decision needs.
struct ContentTypes: Sendable {
    /// One `Default` or `Override` element.
    struct Declaration: Sendable {
        /// `/xl/workbook.xml` for an Override, nil for a Default.
        let partName: String?
        /// Lowercased: MIME types compare case-insensitively.
        let contentType: String
    }

    let declarations: [Declaration]

    init(xml bytes: [UInt8]) {
        let text = Self.decodeText(bytes)
        var declarations: [Declaration] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            rest = rest[rest.index(after: open)...]
            // A commented-out declaration declares nothing.
            if rest.hasPrefix("!--") {
                guard let end = rest.firstRange(of: "-->") else { break }
                rest = rest[end.upperBound...]
                continue
            }
            guard let close = rest.firstIndex(of: ">") else { break }
            let tag = rest[..<close]
            rest = rest[rest.index(after: close)...]
            let elementName = tag.prefix { !$0.isWhitespace && $0 != "/" }
            // Drop a namespace prefix such as `ct:`.
            let localName = elementName.split(separator: ":").last.map(String.init) ?? ""
            guard localName == "Default" || localName == "Override" else { continue }
            let attributes = Self.attributes(of: tag.dropFirst(elementName.count))
            guard let contentType = attributes["ContentType"] else { continue }
            declarations.append(
                Declaration(
                    partName: localName == "Override" ? attributes["PartName"] : nil,
                    contentType: contentType.lowercased()
                ))
        }
        self.declarations = declarations
    }

    /// Whether any declaration names `contentType` (compared case-insensitively).
    func declares(_ contentType: String) -> Bool {
        let wanted = contentType.lowercased()
        return declarations.contains { $0.contentType == wanted }
    }

    /// The part names that Override elements give `contentType`.
    func parts(declaredAs contentType: String) -> [String] {
        let wanted = contentType.lowercased()
        return declarations.filter { $0.contentType == wanted }.compactMap(\.partName)
    }

    /// OPC allows UTF-8 or UTF-16 (with a byte order mark) for this part.
    private static func decodeText(_ bytes: [UInt8]) -> String {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let littleEndian = bytes[0] == 0xFF
            let body = bytes.dropFirst(2)
            let units = stride(from: body.startIndex, to: body.endIndex - 1, by: 2).map { index in
                littleEndian ? UInt16(body[index]) | UInt16(body[index + 1]) << 8 : UInt16(body[index]) << 8 | UInt16(body[index + 1])
            }
            return String(decoding: units, as: UTF16.self)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `name="value"` or `name='value'` pairs, with optional whitespace around `=`.
    private static func attributes(of text: Substring) -> [String: String] {
        var attributes: [String: String] = [:]
        var rest = text
        while let equals = rest.firstIndex(of: "=") {
            let name = rest[..<equals].split(whereSeparator: \.isWhitespace).last.map(String.init) ?? ""
            let afterEquals = rest[rest.index(after: equals)...].drop { $0.isWhitespace }
            guard let quote = afterEquals.first, quote == "\"" || quote == "'" else { break }
            let valueStart = afterEquals.index(after: afterEquals.startIndex)
            guard let valueEnd = afterEquals[valueStart...].firstIndex(of: quote) else { break }
            attributes[name] = String(afterEquals[valueStart..<valueEnd])
            rest = afterEquals[afterEquals.index(after: valueEnd)...]
        }
        return attributes
    }
}
