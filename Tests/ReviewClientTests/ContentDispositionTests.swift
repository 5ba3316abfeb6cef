import Testing

@testable import ReviewClient

struct ContentDispositionTests {
    @Test func theServersJapaneseNameIsDecodedFromFilenameStar() async throws {
        let header =
            "attachment; filename=\"________.png\"; filename*=UTF-8''"
            + "%E9%96%8B%E8%A8%AD%E8%A8%B1%E5%8F%AF%E6%9B%B8%E3%81%AE%E5%86%99%E3%81%97.png"
        let disposition = try #require(ContentDisposition(header))
        #expect(disposition.type == "attachment")
        #expect(disposition.filename == "開設許可書の写し.png")
    }

    @Test func filenameStarWinsWhicheverComesFirst() {
        #expect(ContentDisposition("attachment; filename*=UTF-8''caf%C3%A9.pdf; filename=\"cafe.pdf\"")?.filename == "café.pdf")
        #expect(ContentDisposition("Attachment; FILENAME*=utf-8'ja'%E5%86%99.pdf; filename=x.pdf")?.filename == "写.pdf")
    }

    @Test func theAsciiFallbackIsUsedWhenFilenameStarIsMissingOrUnreadable() {
        #expect(ContentDisposition("attachment; filename=\"report.pdf\"")?.filename == "report.pdf")
        #expect(ContentDisposition("attachment; filename=report.pdf")?.filename == "report.pdf")
        #expect(ContentDisposition(#"attachment; filename="a\"b\\c.pdf""#)?.filename == #"a"b\c.pdf"#)
        // A bad escape, invalid UTF-8 and an unknown charset all fall back to `filename`.
        #expect(ContentDisposition("attachment; filename=\"f.pdf\"; filename*=UTF-8''%E9%9.pdf")?.filename == "f.pdf")
        #expect(ContentDisposition("attachment; filename=\"f.pdf\"; filename*=UTF-8''%FF%FE.pdf")?.filename == "f.pdf")
        #expect(ContentDisposition("attachment; filename=\"f.pdf\"; filename*=Shift_JIS''%8A%4A.pdf")?.filename == "f.pdf")
        #expect(ContentDisposition("attachment; filename=\"f.pdf\"; filename*=UTF-8%E5.pdf")?.filename == "f.pdf")
    }

    @Test func iso88591IsAcceptedAsRFC5987AllowedIt() {
        #expect(ContentDisposition("attachment; filename*=iso-8859-1''caf%E9.pdf")?.filename == "café.pdf")
    }

    @Test func aHeaderWithoutAFileNameHasNone() {
        #expect(ContentDisposition("attachment")?.filename == nil)
        #expect(ContentDisposition("inline; size=12")?.filename == nil)
    }

    @Test func malformedOrAmbiguousHeadersAreRefused() {
        #expect(ContentDisposition("") == nil)
        #expect(ContentDisposition("; filename=x.pdf") == nil)
        #expect(ContentDisposition("attachment; filename") == nil)
        #expect(ContentDisposition("attachment; filename=\"unterminated.pdf") == nil)
        #expect(ContentDisposition("attachment; filename=a.pdf; filename=b.pdf") == nil)
        #expect(ContentDisposition("attachment; filename=a.pdf junk") == nil)
    }

    @Test(arguments: ["開設届の写し.pdf", "申請書 (最終版) 2027年4月.xlsx", "emoji 🏥.png", "plain.pdf", "semi;colon,comma.pdf", "100%.pdf"])
    func anyNameRoundTripsThroughTheServersEncoding(name: String) {
        let header = "attachment; filename=\"fallback\"; filename*=UTF-8''\(Checksums.percentEncoded(name))"
        #expect(ContentDisposition(header)?.filename == name)
    }
}
