import Scanner
import Testing

/// Files that are a PDF or PNG and, to another reader, something else as well.
@Suite("Polyglots")
struct PolyglotTests {
    static let pdfHead = Array("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n1 0 obj\n<<>>\nendobj\n".utf8)
    static let pdfEnd = Array("trailer\n<<>>\nstartxref\n0\n%%EOF\n".utf8)
    static let macroWorkbook = OOXML.workbook(main: OOXML.macroSheetMain) + [.init("xl/vbaProject.bin", [0xD0, 0xCF, 0x11, 0xE0])]

    @Test("a PDF header in front of a ZIP is a polyglot, with the ZIP's offsets shifted or not")
    func pdfHeaderInFrontOfZIP() async throws {
        let relative = ZIPBuilder(entries: Self.macroWorkbook).bytes
        #expect(try scan(Self.pdfHead + relative).reason == .polyglot)
        var absolute = ZIPBuilder(entries: Self.macroWorkbook)
        absolute.baseOffset = Self.pdfHead.count
        absolute.comment = Array("%%EOF\n".utf8)
        let verdict = try scan(Self.pdfHead + absolute.bytes)
        #expect(verdict.reason == .polyglot, "\(verdict.detail)")
        var zip64 = ZIPBuilder(entries: Self.macroWorkbook)
        zip64.zip64 = true
        #expect(try scan(Self.pdfHead + zip64.bytes).reason == .polyglot)
    }

    @Test("a whole PDF whose end hides a ZIP with %%EOF in its comment is a polyglot")
    func zipCommentHoldsEOF() async throws {
        let body = Self.pdfHead + [UInt8](repeating: 0x20, count: 3000) + Self.pdfEnd
        var zip = ZIPBuilder(entries: Self.macroWorkbook)
        zip.baseOffset = body.count
        zip.comment = Array("\n%%EOF\n".utf8)
        let verdict = try scan(body + zip.bytes)
        #expect(verdict.reason == .polyglot, "\(verdict.detail)")
        #expect(verdict.detail.contains("ZIP"), "\(verdict.detail)")
    }

    @Test(
        "anything but white space after a PDF's last %%EOF is a polyglot",
        arguments: [
            ("ELF", [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 56)),
            ("CFB", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)),
            ("HTML", Array("<html><script>alert(1)</script></html>".utf8)),
            ("one stray letter", Array("x".utf8)),
            ("2 KiB of spaces", [UInt8](repeating: 0x20, count: 2048)),
        ] as [(String, [UInt8])])
    func afterEOF(label: String, trailer: [UInt8]) throws {
        let verdict = try scan(Self.pdfHead + Self.pdfEnd + trailer)
        #expect(verdict.reason == .polyglot, "\(label): \(verdict.detail)")
    }

    @Test("signatures by chance inside a PDF's streams are not a structure")
    func signaturesByChance() async throws {
        // Compressed streams hold every 4-byte pattern sooner or later, near the end too.
        var noise = pseudoRandomBytes(count: 200_000, seed: 42)
        for at in stride(from: 1000, to: noise.count - 100, by: 9973) {
            noise.replaceSubrange(at..<at + 4, with: at % 2 == 0 ? [0x50, 0x4B, 0x03, 0x04] : [0x50, 0x4B, 0x05, 0x06])
        }
        // An end record whose directory points at nothing real.
        noise.replaceSubrange(199_000..<199_022, with: [0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0, 46, 0, 0, 0, 0x10, 0, 0, 0, 0, 0])
        let stream = Array("2 0 obj\n<</Length 200000/Filter/FlateDecode>>\nstream\n".utf8) + noise + Array("\nendstream\nendobj\n".utf8)
        let verdict = try scan(Self.pdfHead + stream + Self.pdfEnd)
        #expect(verdict.accepted == .pdf, "\(verdict.detail)")
    }

    @Test("bytes after a PNG's IEND are a polyglot")
    func afterIEND() async throws {
        let zip = ZIPBuilder(entries: Self.macroWorkbook).bytes
        let verdict = try scan(PNGBuilder.valid().bytes + zip)
        #expect(verdict.reason == .polyglot, "\(verdict.detail)")
        #expect(try scan(PNGBuilder.valid().bytes + [0]).reason == .polyglot)
    }

    @Test(
        "a PNG chunk that carries another format's file is a polyglot",
        arguments: [
            ("ZIP", ZIPBuilder(entries: OOXML.workbook()).bytes),
            ("CFB", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)),
            ("ELF", [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 56)),
            (
                "PE",
                {
                    var pe = Array("MZ".utf8) + [UInt8](repeating: 0, count: 0x7E)
                    pe.setLE32(0x80, at: 0x3C)
                    return pe + Array("PE\0\0".utf8)
                }()
            ),
            ("PDF", Array("%PDF-1.7\n".utf8)),
        ] as [(String, [UInt8])])
    func chunkCarriesFile(label: String, file: [UInt8]) throws {
        var png = PNGBuilder.valid()
        png.chunks.insert((type: "prVt", data: file), at: 1)
        let verdict = try scan(png.bytes)
        #expect(verdict.reason == .polyglot, "\(label): \(verdict.detail)")
    }

    @Test("a ZIP whose end record sits inside a PNG chunk, found from the file's end, is a polyglot")
    func zipInsideChunk() async throws {
        var png = PNGBuilder.valid()
        // The ZIP's comment length covers the chunk's CRC and the IEND chunk that follow it.
        var zip = ZIPBuilder(entries: Self.macroWorkbook)
        zip.comment = [UInt8](repeating: 0, count: 16)
        let prefixLength = 8 + 25 + 807 + 8 + 3
        zip.baseOffset = prefixLength
        png.chunks.insert((type: "zzZz", data: [1, 2, 3] + zip.bytes.dropLast(16)), at: 2)
        let verdict = try scan(png.bytes)
        #expect(verdict.reason == .polyglot, "\(verdict.detail)")
        // An MZ without a PE header behind it is just two letters.
        var letters = PNGBuilder.valid()
        letters.chunks.insert((type: "prVt", data: Array("MZ and more text".utf8)), at: 1)
        #expect(try scan(letters.bytes).accepted == .png)
    }
}
