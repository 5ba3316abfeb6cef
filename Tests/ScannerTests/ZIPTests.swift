import Scanner
import Testing

@Suite("XLSX (ZIP)")
struct ZIPTests {
    typealias Entry = ZIPBuilder.Entry

    static func verdict(_ entries: [Entry], limits: ScanLimits = .init(), configure: (inout ZIPBuilder) -> Void = { _ in }) throws -> Verdict {
        var builder = ZIPBuilder(entries: entries)
        configure(&builder)
        return try scan(builder.bytes, limits: limits)
    }

    @Test("a minimal workbook package is an .xlsx")
    func accepted() throws {
        let verdict = try Self.verdict(OOXML.workbook())
        #expect(verdict.accepted == .xlsx, "\(verdict.detail)")
    }

    @Test("folder entries, a comment, ZIP64 and a deflated [Content_Types].xml are fine")
    func variants() throws {
        let folders = [Entry("_rels/", []), Entry("xl/", [])] + OOXML.workbook()
        #expect(try Self.verdict(folders).accepted == .xlsx)
        #expect(try Self.verdict(OOXML.workbook()) { $0.comment = Array("PK\u{5}\u{6} in a comment".utf8) }.accepted == .xlsx)
        let zip64 = try Self.verdict(OOXML.workbook()) { $0.zip64 = true }
        #expect(zip64.accepted == .xlsx, "\(zip64.detail)")

        var entries = OOXML.workbook()
        entries[0] = Entry("[Content_Types].xml", deflated: InflateTests.contentTypesDeflated, of: InflateTests.contentTypesXML)
        let deflated = try Self.verdict(entries)
        #expect(deflated.accepted == .xlsx, "\(deflated.detail)")
    }

    @Test("macros: the .xlsm content type, a vbaProject.bin, or a macro sheet")
    func macros() throws {
        #expect(try Self.verdict(OOXML.workbook(main: OOXML.macroSheetMain)).reason == .macroEnabled)
        #expect(try Self.verdict(OOXML.workbook() + [Entry("xl/vbaProject.bin", [0xD0, 0xCF])]).reason == .macroEnabled)
        var entries = OOXML.workbook()
        entries[0] = Entry("[Content_Types].xml", text: OOXML.contentTypes(
            main: OOXML.sheetMain,
            extra: #"<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/>"#
        ))
        #expect(try Self.verdict(entries).reason == .macroEnabled)
    }

    @Test("ZIPs that are not workbooks are not allowed types")
    func notWorkbooks() throws {
        let docx = [
            Entry("[Content_Types].xml", text: OOXML.contentTypes(main: OOXML.wordMain, mainPart: "/word/document.xml")),
            Entry("word/document.xml", text: "<w:document/>"),
        ]
        #expect(try Self.verdict(docx).reason == .typeNotAllowed)
        #expect(try Self.verdict([Entry("notes.txt", text: "hello")]).reason == .typeNotAllowed)
        #expect(try Self.verdict(OOXML.workbook(main: OOXML.templateMain)).reason == .typeNotAllowed)
        // A declaration inside a comment declares nothing.
        let commented = [Entry("[Content_Types].xml", text: "<Types><!-- <Override PartName=\"/xl/workbook.xml\" ContentType=\"\(OOXML.sheetMain)\"/> --></Types>")]
        #expect(try Self.verdict(commented).reason == .typeNotAllowed)
    }

    @Test("entry names that escape their folder are unsafe", arguments: [
        "../x", "xl/../../x", "/etc/passwd", "\\windows\\x", "C:\\x", "c:x", "xl\\..\\..\\x", "a\0b",
    ])
    func unsafeNames(name: String) throws {
        let verdict = try Self.verdict(OOXML.workbook() + [Entry(name, text: "x")])
        #expect(verdict.reason == .zipUnsafe, "\(verdict.detail)")
    }

    @Test("names merely containing dots are fine", arguments: ["xl/..sheet.xml", "xl/a..b", "x.../y"])
    func dottedNames(name: String) throws {
        #expect(try Self.verdict(OOXML.workbook() + [Entry(name, text: "x")]).accepted == .xlsx)
    }

    @Test("a compression ratio over the limit is a bomb")
    func ratio() throws {
        var bomb = Entry("xl/worksheets/sheet1.xml", [UInt8](repeating: 0x41, count: 1000))
        bomb.uncompressedSize = 1000 * 201
        #expect(try Self.verdict(OOXML.workbook() + [bomb]).reason == .zipUnsafe)
        bomb.uncompressedSize = 1000 * 200
        #expect(try Self.verdict(OOXML.workbook() + [bomb]).accepted == .xlsx)
        #expect(try Self.verdict(OOXML.workbook() + [bomb], limits: ScanLimits(maxZipEntryRatio: 100)).reason == .zipUnsafe)
        var nothing = Entry("xl/empty.bin", [])
        nothing.uncompressedSize = 1 << 20
        #expect(try Self.verdict(OOXML.workbook() + [nothing]).reason == .zipUnsafe)
    }

    @Test("a stated uncompressed total over the limit is a bomb")
    func total() throws {
        var big = Entry("xl/media/a.bin", [UInt8](repeating: 1, count: 10_000_000))
        big.uncompressedSize = 600 << 20
        var other = big
        other.name = Array("xl/media/b.bin".utf8)
        let limits = ScanLimits(maxZipEntryRatio: 1000)
        #expect(try Self.verdict(OOXML.workbook() + [big], limits: limits).accepted == .xlsx)
        #expect(try Self.verdict(OOXML.workbook() + [big, other], limits: limits).reason == .zipUnsafe)
        #expect(try Self.verdict(OOXML.workbook(), limits: ScanLimits(maxZipUncompressedTotal: 100)).reason == .zipUnsafe)
    }

    @Test("a ZIP without its end record is truncated")
    func truncated() throws {
        let bytes = ZIPBuilder(entries: OOXML.workbook()).bytes
        for length in [30, bytes.count / 2, bytes.count - 10] {
            let verdict = try scan(Array(bytes.prefix(length)))
            #expect(verdict.reason == .truncated, "\(length): \(verdict.detail)")
        }
    }

    @Test("an encrypted entry means an encrypted archive")
    func encrypted() throws {
        var entries = OOXML.workbook()
        entries[2].flags |= 1
        #expect(try Self.verdict(entries).reason == .encrypted)
    }

    @Test("a central directory that lies is corrupt or unsafe")
    func lies() throws {
        #expect(try Self.verdict(OOXML.workbook()) { $0.statedEntryCount = 2 }.reason == .corrupt)
        #expect(try Self.verdict(OOXML.workbook()) { $0.statedEntryCount = 4 }.reason == .corrupt)
        var badCRC = OOXML.workbook()
        badCRC[0].crc ^= 1
        #expect(try Self.verdict(badCRC).reason == .corrupt)
        var twoNames = OOXML.workbook()
        twoNames[0].localName = Array("[Content_Types].xmm".utf8)
        #expect(try Self.verdict(twoNames).reason == .zipUnsafe)
        let duplicate = OOXML.workbook() + [Entry("[Content_Types].xml", text: OOXML.contentTypes(main: OOXML.wordMain))]
        #expect(try Self.verdict(duplicate).reason == .zipUnsafe)
        let missingMain = Array(OOXML.workbook().prefix(2))
        #expect(try Self.verdict(missingMain).reason == .corrupt)
    }
}
