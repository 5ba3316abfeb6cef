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
    func accepted() async throws {
        let verdict = try Self.verdict(OOXML.workbook())
        #expect(verdict.accepted == .xlsx, "\(verdict.detail)")
    }

    @Test("folder entries, a comment, ZIP64 and a deflated [Content_Types].xml are fine")
    func variants() async throws {
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
    func macros() async throws {
        #expect(try Self.verdict(OOXML.workbook(main: OOXML.macroSheetMain)).reason == .macroEnabled)
        #expect(try Self.verdict(OOXML.workbook() + [Entry("xl/vbaProject.bin", [0xD0, 0xCF])]).reason == .macroEnabled)
        var entries = OOXML.workbook()
        entries[0] = Entry(
            "[Content_Types].xml",
            text: OOXML.contentTypes(
                main: OOXML.sheetMain,
                extra: #"<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/>"#
            ))
        #expect(try Self.verdict(entries).reason == .macroEnabled)
    }

    @Test("ZIPs that are not workbooks are not allowed types")
    func notWorkbooks() async throws {
        let docx = [
            Entry("[Content_Types].xml", text: OOXML.contentTypes(main: OOXML.wordMain, mainPart: "/word/document.xml")),
            Entry("word/document.xml", text: "<w:document/>"),
        ]
        #expect(try Self.verdict(docx).reason == .typeNotAllowed)
        #expect(try Self.verdict([Entry("notes.txt", text: "hello")]).reason == .typeNotAllowed)
        #expect(try Self.verdict(OOXML.workbook(main: OOXML.templateMain)).reason == .typeNotAllowed)
        // A declaration inside a comment declares nothing.
        let commented = [
            Entry("[Content_Types].xml", text: "<Types><!-- <Override PartName=\"/xl/workbook.xml\" ContentType=\"\(OOXML.sheetMain)\"/> --></Types>")
        ]
        #expect(try Self.verdict(commented).reason == .typeNotAllowed)
    }

    @Test(
        "entry names that escape their folder are unsafe",
        arguments: [
            "../x", "xl/../../x", "/etc/passwd", "\\windows\\x", "C:\\x", "c:x", "xl\\..\\..\\x", "a\0b",
        ])
    func unsafeNames(name: String) async throws {
        let verdict = try Self.verdict(OOXML.workbook() + [Entry(name, text: "x")])
        #expect(verdict.reason == .zipUnsafe, "\(verdict.detail)")
    }

    @Test("names merely containing dots are fine", arguments: ["xl/..sheet.xml", "xl/a..b", "x.../y"])
    func dottedNames(name: String) async throws {
        #expect(try Self.verdict(OOXML.workbook() + [Entry(name, text: "x")]).accepted == .xlsx)
    }

    @Test("a compression ratio over the limit is a bomb")
    func ratio() async throws {
        // Stated sizes that claim 201 : 1 are refused before anything is inflated.
        var bomb = Entry("xl/worksheets/sheet1.xml", [UInt8](repeating: 0x41, count: 1000))
        bomb.uncompressedSize = 1000 * 201
        #expect(try Self.verdict(OOXML.workbook() + [bomb]).reason == .zipUnsafe)
        // A real deflate stream of about 159 : 1 passes the default ratio, not a ratio of 100.
        let dense = Entry("xl/worksheets/sheet1.xml", deflated: Deflate.zeros(count: 1 << 20), of: [UInt8](repeating: 0, count: 1 << 20))
        #expect(try Self.verdict(OOXML.workbook() + [dense]).accepted == .xlsx)
        #expect(try Self.verdict(OOXML.workbook() + [dense], limits: ScanLimits(maxZipEntryRatio: 100)).reason == .zipUnsafe)
        var nothing = Entry("xl/empty.bin", [])
        nothing.uncompressedSize = 1 << 20
        #expect(try Self.verdict(OOXML.workbook() + [nothing]).reason == .zipUnsafe)
    }

    @Test("a stated uncompressed total over the limit is a bomb")
    func total() async throws {
        let big = Entry("xl/media/a.bin", [UInt8](repeating: 1, count: 1_000_000))
        var other = big
        other.name = Array("xl/media/b.bin".utf8)
        let limits = ScanLimits(maxZipUncompressedTotal: 1_500_000)
        #expect(try Self.verdict(OOXML.workbook() + [big], limits: limits).accepted == .xlsx)
        #expect(try Self.verdict(OOXML.workbook() + [big, other], limits: limits).reason == .zipUnsafe)
        #expect(try Self.verdict(OOXML.workbook(), limits: ScanLimits(maxZipUncompressedTotal: 100)).reason == .zipUnsafe)
    }

    @Test("a ZIP without its end record is truncated")
    func truncated() async throws {
        let bytes = ZIPBuilder(entries: OOXML.workbook()).bytes
        for length in [30, bytes.count / 2, bytes.count - 10] {
            let verdict = try scan(Array(bytes.prefix(length)))
            #expect(verdict.reason == .truncated, "\(length): \(verdict.detail)")
        }
    }

    @Test("an encrypted entry means an encrypted archive")
    func encrypted() async throws {
        var entries = OOXML.workbook()
        entries[2].flags |= 1
        #expect(try Self.verdict(entries).reason == .encrypted)
    }

    @Test("a central directory that lies is corrupt or unsafe")
    func lies() async throws {
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

    @Test("an entry holding more than both headers state is a bomb, stopped at the stated size")
    func realSizeOverStated() async throws {
        // 200 MiB of zeros in ~1.3 MB; both headers claim 1,000 bytes (and the CRC of 1,000 zeros).
        var bomb = Entry("xl/worksheets/sheet1.xml", deflated: Deflate.zeros(count: 200 << 20), of: [UInt8](repeating: 0, count: 1000))
        bomb.uncompressedSize = 1000
        let verdict = try Self.verdict(OOXML.workbook() + [bomb])
        #expect(verdict.reason == .zipUnsafe, "\(verdict.detail)")
        #expect(verdict.detail.contains("more than the 1000 bytes"), "\(verdict.detail)")
        // The same kind of stream, truthfully stated, is a workbook.
        let honest = Entry("xl/worksheets/sheet1.xml", deflated: Deflate.zeros(count: 1 << 20), of: [UInt8](repeating: 0, count: 1 << 20))
        #expect(try Self.verdict(OOXML.workbook() + [honest]).accepted == .xlsx)
    }

    @Test("an entry with less than it states, or another CRC, is corrupt")
    func contentMismatch() async throws {
        var short = Entry("xl/worksheets/sheet1.xml", deflated: Deflate.zeros(count: 5000), of: [UInt8](repeating: 0, count: 5000))
        short.uncompressedSize = 6000
        #expect(try Self.verdict(OOXML.workbook() + [short]).reason == .corrupt)
        var badCRC = Entry("xl/worksheets/sheet1.xml", deflated: Deflate.zeros(count: 5000), of: [UInt8](repeating: 0, count: 5000))
        badCRC.crc ^= 0x0100
        let verdict = try Self.verdict(OOXML.workbook() + [badCRC])
        #expect(verdict.reason == .corrupt && verdict.detail.contains("CRC"), "\(verdict.detail)")
        var storedLie = Entry("xl/media/a.bin", [UInt8](repeating: 7, count: 100))
        storedLie.crc = referenceCRC32([UInt8](repeating: 7, count: 99) + [8])
        #expect(try Self.verdict(OOXML.workbook() + [storedLie]).reason == .corrupt)
        var cut = Entry("xl/worksheets/sheet1.xml", deflated: Array(Deflate.zeros(count: 5000).dropLast(3)), of: [UInt8](repeating: 0, count: 5000))
        cut.uncompressedSize = 5000
        #expect(try Self.verdict(OOXML.workbook() + [cut]).reason == .corrupt)
    }

    @Test("the real total passing the limit stops inflating")
    func realTotal() async throws {
        let parts = (0..<4).map { Entry("xl/media/p\($0).bin", deflated: Deflate.zeros(count: 40_000), of: [UInt8](repeating: 0, count: 40_000)) }
        #expect(try Self.verdict(OOXML.workbook() + parts, limits: ScanLimits(maxZipEntryRatio: 10_000)).accepted == .xlsx)
        // Each entry's stated size is small, but they all share one entry's data: refused before inflating.
        let overlapping = Self.overlapping(OOXML.workbook(), copies: 50)
        #expect(try scan(overlapping, limits: ScanLimits(maxZipEntryRatio: 10_000)).reason == .zipUnsafe)
    }

    /// A package whose last central entry is repeated `copies` times, every copy pointing at the same data.
    static func overlapping(_ entries: [Entry], copies: Int) -> [UInt8] {
        let bytes = ZIPBuilder(entries: entries).bytes
        let endOffset = bytes.count - 22
        let directoryOffset = Int(bytes[endOffset + 16]) | Int(bytes[endOffset + 17]) << 8 | Int(bytes[endOffset + 18]) << 16
        let directory = Array(bytes[directoryOffset..<endOffset])
        let lastStart = directory.count - (46 + "xl/workbook.xml".utf8.count)
        let extra = (0..<copies).flatMap { _ in directory[lastStart...] }
        var end = Array(bytes[endOffset...])
        let count = entries.count + copies
        end.setLE16(count, at: 8)
        end.setLE16(count, at: 10)
        end.setLE32(UInt32(directory.count + extra.count), at: 12)
        return Array(bytes[..<endOffset]) + extra + end
    }
}
