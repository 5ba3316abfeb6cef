extension PartHeaders {
    /// Parses a part's header section: the bytes from the end of the boundary up to the blank
    /// line, i.e. the rest of the boundary line, then one line per header.
    init(parsingSection section: [UInt8], limits: MultipartLimits) throws(MultipartError) {
        var lines = try Self.lines(of: section)
        guard lines.removeFirst().allSatisfy(\.isWhitespace) else {
            throw MultipartError(.malformedDelimiter, "a boundary is followed by more than transport padding")
        }

        var rawFields: [(name: ArraySlice<UInt8>, value: [UInt8])] = []
        for line in lines {
            if line.first?.isWhitespace == true {
                // An obsolete folded line (RFC 9110 §5.5) continues the previous value.
                guard !rawFields.isEmpty else { throw Self.malformed("the first header line is a continuation") }
                rawFields[rawFields.count - 1].value += [.space] + line.trimmingWhitespace()
                continue
            }
            guard let colon = line.firstIndex(of: .colon), colon > line.startIndex,
                line[..<colon].allSatisfy(\.isTokenChar)
            else { throw Self.malformed("a header line is not `name: value`") }
            rawFields.append((line[..<colon], Array(line[(colon + 1)...].trimmingWhitespace())))
        }
        var fields: [Field] = []
        for (name, value) in rawFields {
            fields.append(
                Field(name: try Self.text(name, "a header name"), value: try Self.text(value, "a header value")))
        }

        let dispositions = fields.filter { $0.name.lowercased() == "content-disposition" }
        guard let disposition = dispositions.first else {
            throw MultipartError(.missingContentDisposition, "a part has no Content-Disposition header")
        }
        guard dispositions.count == 1 else { throw Self.malformed("a part has more than one Content-Disposition") }
        guard let parsed = HeaderParameters(parsing: Array(disposition.value.utf8)),
            parsed.value.lowercased() == "form-data"
        else { throw Self.malformed("Content-Disposition is not `form-data` with well-formed parameters") }

        guard let rawName = parsed.parameters["name"], !rawName.isEmpty else {
            throw MultipartError(.missingName, "Content-Disposition has no name")
        }
        var filename: String?
        if let extended = parsed.parameters["filename*"] {
            guard let decoded = HeaderParameters.decodeExtendedValue(extended) else {
                throw Self.malformed("filename* is not a valid RFC 8187 UTF-8 or ISO-8859-1 value")
            }
            filename = decoded
        } else if let plain = parsed.parameters["filename"] {
            filename = try Self.text(plain, "the filename")
        }
        if let filename, filename.utf8.count > limits.maxFilenameBytes {
            throw MultipartError(.filenameTooLong, "a filename exceeds \(limits.maxFilenameBytes) bytes")
        }

        let contentTypes = fields.filter { $0.name.lowercased() == "content-type" }
        guard contentTypes.count <= 1 else { throw Self.malformed("a part has more than one Content-Type") }

        self.init(
            name: try Self.text(rawName, "the name"),
            filename: filename,
            contentType: contentTypes.first?.value,
            fields: fields
        )
    }

    /// The CRLF-separated lines of `section`; a lone CR or LF, or any other control character
    /// but tab, is rejected rather than guessed at, as parsers that guess differently can be
    /// played against each other.
    private static func lines(of section: [UInt8]) throws(MultipartError) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = 0
        var index = 0
        while index < section.count {
            if section[index] == .cr && index + 1 < section.count && section[index + 1] == .lf {
                lines.append(section[lineStart..<index])
                index += 2
                lineStart = index
            } else {
                guard !section[index].isForbiddenControl else {
                    throw malformed("a header line holds a control character or a lone CR or LF")
                }
                index += 1
            }
        }
        lines.append(section[lineStart...])
        return lines
    }

    private static func text(_ bytes: some Collection<UInt8>, _ what: String) throws(MultipartError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw malformed("\(what) is not valid UTF-8") }
        return text
    }

    private static func malformed(_ message: String) -> MultipartError {
        MultipartError(.malformedHeaders, message)
    }
}
