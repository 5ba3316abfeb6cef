import Multipart
import Testing

@Suite("Part headers")
struct PartHeaderTests {
    @Test func simpleFieldsAndFile() async throws {
        var body = TestBody()
        body.field("applicant", "Hanako Yamada")
        body.field("note", "")
        body.file("passport", filename: "passport.pdf", type: "application/pdf", Array("%PDF-1.7\r\n...".utf8))
        body.close()

        let parts = try parse(body.bytes)

        #expect(parts.map(\.headers.name) == ["applicant", "note", "passport"])
        #expect(parts.map(\.headers.filename) == [nil, nil, "passport.pdf"])
        #expect(parts.map(\.headers.contentType) == [nil, nil, "application/pdf"])
        #expect(parts.map { String(decoding: $0.content, as: UTF8.self) } == ["Hanako Yamada", "", "%PDF-1.7\r\n..."])
        #expect(
            parts[2].headers.fields == [
                .init(name: "Content-Disposition", value: "form-data; name=\"passport\"; filename=\"passport.pdf\""),
                .init(name: "Content-Type", value: "application/pdf"),
            ]
        )
    }

    @Test func japaneseFilenameAsRawUTF8() async throws {
        let parts = try parse(
            TestBody.single(["Content-Disposition: form-data; name=\"f\"; filename=\"開発計画 第2版.pdf\""]))
        #expect(parts.first?.headers.filename == "開発計画 第2版.pdf")
    }

    @Test(arguments: [
        "form-data; name=\"f\"; filename=\"fallback.pdf\"; filename*=UTF-8''%E9%96%8B%E7%99%BA.pdf",
        "form-data; name=\"f\"; filename*=utf-8'ja'%E9%96%8B%E7%99%BA.pdf; filename=\"fallback.pdf\"",
        "form-data; name=\"f\"; filename*=\"UTF-8''%E9%96%8B%E7%99%BA.pdf\"",
    ])
    func extendedFilenameWins(disposition: String) async throws {
        let parts = try parse(TestBody.single(["Content-Disposition: \(disposition)"]))
        #expect(parts.first?.headers.filename == "開発.pdf")
    }

    @Test func extendedFilenameInLatin1() async throws {
        let parts = try parse(
            TestBody.single(["Content-Disposition: form-data; name=f; filename*=iso-8859-1''na%EFve.txt"]))
        #expect(parts.first?.headers.filename == "naïve.txt")
    }

    @Test(arguments: [
        (#"form-data; name="say \"hi\""; filename="a\\b.txt""#, #"say "hi""#, #"a\b.txt"#),
        (#"form-data; name=token_name; filename=plain.txt"#, "token_name", "plain.txt"),
        (#"form-data;name="n";filename="q%22uote%0D%0A.txt""#, "n", "q%22uote%0D%0A.txt"),
        (#"form-data ; name = "spaced" ; filename = "s p a c e.txt" ;"#, "spaced", "s p a c e.txt"),
        (#"FORM-DATA; NAME="upper"; FileName="C:\\Users\\me\\x.txt""#, "upper", #"C:\Users\me\x.txt"#),
        (#"form-data; name="empty-file"; filename="""#, "empty-file", ""),
    ])
    func quotedAndEscapedParameters(disposition: String, name: String, filename: String) async throws {
        let parts = try parse(TestBody.single(["Content-Disposition: \(disposition)"]))
        #expect(parts.first?.headers.name == name)
        #expect(parts.first?.headers.filename == filename)
    }

    @Test func headerNamesAreCaseInsensitiveAndFoldedLinesJoin() async throws {
        let parts = try parse(
            TestBody.single([
                "content-disposition: form-data; name=\"x\"",
                "CONTENT-TYPE:text/plain;",
                "\tcharset=utf-8",
                "X-Extra:   kept as sent  ",
            ])
        )
        #expect(parts.first?.headers.name == "x")
        #expect(parts.first?.headers.contentType == "text/plain; charset=utf-8")
        #expect(parts.first?.headers.fields.last == .init(name: "X-Extra", value: "kept as sent"))
    }

    @Test(arguments: [
        ("Content-Disposition form-data; name=x", "no colon"),
        ("Content-Disposition : form-data; name=x", "space before the colon"),
        (" Content-Disposition: form-data; name=x", "continuation as the first line"),
        ("Content-Disposition: form-data; name=\"x\nX-Evil: 1\"", "lone LF"),
        ("Content-Disposition: form-data; name=\"x\r\"", "lone CR"),
        ("Content-Disposition: form-data; name=\"x\u{0}\"", "NUL"),
        ("Content-Disposition: attachment; name=x", "not form-data"),
        ("Content-Disposition: form-data; name=\"x", "unterminated quote"),
        ("Content-Disposition: form-data; name=x; name=y", "repeated parameter"),
        ("Content-Disposition: form-data; name=x; filename=a; FILENAME=b", "parameter repeated in another case"),
        ("Content-Disposition: form-data; name=x y", "junk after a token"),
        ("Content-Disposition: form-data; name", "parameter without value"),
        ("Content-Disposition: form-data; name=x; filename*=UTF-8''%E9%96", "filename* truncated UTF-8"),
        ("Content-Disposition: form-data; name=x; filename*=UTF-8''%G1", "filename* bad percent escape"),
        ("Content-Disposition: form-data; name=x; filename*=KOI8-R''%C1", "filename* unsupported charset"),
        ("Content-Disposition: form-data; name=x; filename*=no-quotes", "filename* without charset"),
    ])
    func malformedHeaders(line: String, why: String) {
        #expect(parseError(TestBody.single([line]))?.code == .malformedHeaders, "\(why)")
    }

    @Test func invalidUTF8InFilenameIsMalformed() {
        var raw = Array("Content-Disposition: form-data; name=\"f\"; filename=\"".utf8)
        raw += [0xE9, 0x96, 0x22]  // a lead byte cut short by the closing quote
        let bytes = Array("--\(TestBody.boundary)\r\n".utf8) + raw + Array("\r\n\r\nx\r\n--\(TestBody.boundary)--".utf8)
        #expect(parseError(bytes)?.code == .malformedHeaders)
    }

    @Test func duplicateContentDispositionOrContentTypeIsMalformed() {
        let disposition = "Content-Disposition: form-data; name=x"
        #expect(parseError(TestBody.single([disposition, disposition]))?.code == .malformedHeaders)
        #expect(
            parseError(TestBody.single([disposition, "Content-Type: text/plain", "content-type: image/png"]))?.code
                == .malformedHeaders
        )
    }

    @Test(arguments: [
        [String](),
        ["Content-Type: text/plain"],
    ])
    func missingContentDisposition(lines: [String]) {
        #expect(parseError(TestBody.single(lines))?.code == .missingContentDisposition)
    }

    @Test(arguments: [
        "form-data",
        "form-data; filename=\"a.txt\"",
        "form-data; name=\"\"",
    ])
    func missingName(disposition: String) {
        #expect(parseError(TestBody.single(["Content-Disposition: \(disposition)"]))?.code == .missingName)
    }
}
