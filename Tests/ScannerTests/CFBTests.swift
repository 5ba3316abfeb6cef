import Scanner
import Testing

@Suite("XLS (OLE2/CFB)")
struct CFBTests {
    typealias Node = CFBBuilder.Node

    static func xls(_ extra: [Node] = [], workbook: [UInt8] = CFBBuilder.workbookStream(), sectorShift: Int = 9) -> CFBBuilder.Image {
        var builder = CFBBuilder(
            nodes: [Node.stream("Workbook", workbook), .stream("\u{5}SummaryInformation", [UInt8](repeating: 1, count: 200))] + extra)
        builder.sectorShift = sectorShift
        return builder.build()
    }

    @Test("a workbook is accepted, in regular sectors or in the mini stream, version 3 or 4")
    func accepted() async throws {
        for image in [
            Self.xls(),
            Self.xls(workbook: CFBBuilder.workbookStream(size: 1500)),
            Self.xls(sectorShift: 12),
            Self.xls(workbook: CFBBuilder.workbookStream(size: 700), sectorShift: 12),
            CFBBuilder(nodes: [.stream("Book", CFBBuilder.workbookStream(size: 5000))]).build(),
        ] {
            let verdict = try scan(image.bytes)
            #expect(verdict.accepted == .xls, "\(verdict.detail)")
        }
    }

    @Test("a FAT that needs the DIFAT chain is followed")
    func difatChain() async throws {
        // Over 109 FAT sectors: more than 109 × 128 sectors of 512 bytes.
        let image = Self.xls([.stream("Padding", [UInt8](repeating: 7, count: 7_500_000))])
        #expect(image.difatSectors.count == 1)
        let verdict = try scan(image.bytes)
        #expect(verdict.accepted == .xls, "\(verdict.detail)")

        // A DIFAT sector that names itself as the next one, in a header that claims enough FAT sectors to follow it.
        var cycle = image
        let difat = image.difatSectors[0]
        for slot in 0..<127 { cycle.bytes.setLE32(image.fatSectors[0], at: image.offset(ofSector: difat) + slot * 4) }
        cycle.bytes.setLE32(difat, at: image.offset(ofSector: difat) + 127 * 4)
        cycle.bytes.setLE32(109 + 127 * 3, at: 44)
        cycle.bytes.setLE32(0xFFFF_FFFF, at: 72)
        let looped = try scan(cycle.bytes)
        #expect(looped.reason == .corrupt, "\(looped.detail)")
    }

    @Test("a FILEPASS record after BOF means an encrypted workbook")
    func encryptedXLS() async throws {
        for workbook in [CFBBuilder.workbookStream(encrypted: true), CFBBuilder.workbookStream(size: 300, encrypted: true)] {
            let verdict = try scan(Self.xls(workbook: workbook).bytes)
            #expect(verdict.reason == .encrypted, "\(verdict.detail)")
        }
    }

    @Test("an EncryptedPackage is an encrypted .xlsx")
    func encryptedPackage() async throws {
        let image = CFBBuilder(nodes: [
            .stream("EncryptionInfo", [UInt8](repeating: 4, count: 300)),
            .stream("EncryptedPackage", [UInt8](repeating: 9, count: 9000)),
            .storage("\u{6}DataSpaces", [.stream("Version", [1, 2, 3])]),
        ]).build()
        #expect(try scan(image.bytes).reason == .encrypted)
    }

    @Test("a VBA project means macros")
    func macros() async throws {
        let project = Node.storage("_VBA_PROJECT_CUR", [.stream("PROJECT", [0x41]), .storage("VBA", [.stream("dir", [1, 2])])])
        #expect(try scan(Self.xls([project]).bytes).reason == .macroEnabled)
        #expect(try scan(Self.xls([.storage("Other", [.storage("VBA")])]).bytes).reason == .macroEnabled)
    }

    @Test("an Excel 4.0 macro sheet means macros, wherever its BoundSheet record falls")
    func xlmMacroSheet() async throws {
        for (filler, size) in [(0, 6000), (300, 20_000), (100, 3000)] {
            let workbook = CFBBuilder.workbookStream(size: size, filler: filler, sheetTypes: [0, 2, 1])
            let verdict = try scan(Self.xls(workbook: workbook).bytes)
            #expect(verdict.reason == .macroEnabled, "filler \(filler): \(verdict.detail)")
        }
        let chartsOnly = CFBBuilder.workbookStream(size: 20_000, filler: 300, sheetTypes: [0, 2])
        #expect(try scan(Self.xls(workbook: chartsOnly).bytes).accepted == .xls)
    }

    @Test("a CFB without a Workbook stream is not an allowed type")
    func otherCFB() async throws {
        let doc = CFBBuilder(nodes: [.stream("WordDocument", [UInt8](repeating: 0, count: 5000)), .stream("1Table", [1])]).build()
        #expect(try scan(doc.bytes, named: "sheet.xls").reason == .typeNotAllowed)
        // A Word file with an embedded sheet: the Workbook is not at the top level.
        let embedded = CFBBuilder(nodes: [
            .stream("WordDocument", [UInt8](repeating: 0, count: 5000)),
            .storage("ObjectPool", [.storage("_1234", [.stream("Workbook", CFBBuilder.workbookStream())])]),
        ]).build()
        #expect(try scan(embedded.bytes).reason == .typeNotAllowed)
        let storageNamedWorkbook = CFBBuilder(nodes: [.storage("Workbook")]).build()
        #expect(try scan(storageNamedWorkbook.bytes).reason == .typeNotAllowed)
    }

    @Test("a workbook stream must start with BOF")
    func noBOF() async throws {
        let verdict = try scan(Self.xls(workbook: [UInt8](repeating: 0x33, count: 5000)).bytes)
        #expect(verdict.reason == .corrupt)
    }

    @Test("cycles in FAT chains end in a verdict", arguments: ["workbook", "directory", "self", "mini"])
    func fatCycles(kind: String) async throws {
        var image = Self.xls(workbook: CFBBuilder.workbookStream(size: kind == "mini" ? 1000 : 20_000))
        let start = image.streamStart["Workbook"]!
        switch kind {
        case "workbook": image.setFAT(start + 5, to: start)
        case "directory": image.setFAT(image.firstDirectorySector, to: image.firstDirectorySector)
        case "self": image.setFAT(start, to: start)
        default:
            // The mini FAT is the sector after the directory here; loop the workbook's mini chain.
            let miniFAT = image.firstDirectorySector + 1
            image.bytes.setLE32(start, at: image.offset(ofSector: miniFAT) + Int(start + 3) * 4)
        }
        let verdict = try scan(image.bytes)
        #expect(verdict.reason == .corrupt, "\(verdict.detail)")
    }

    @Test("a broken directory tree is corrupt")
    func directoryCycle() async throws {
        var image = Self.xls()
        let index = image.entryIndex["Workbook"]!
        image.setDirectoryField(entry: index, at: 68, to: UInt32(index))
        #expect(try scan(image.bytes).reason == .corrupt)
        var outOfRange = Self.xls()
        outOfRange.setDirectoryField(entry: 0, at: 76, to: 9999)
        #expect(try scan(outOfRange.bytes).reason == .corrupt)
    }

    @Test("a stream claiming more than its chain holds is corrupt, and fast")
    func hugeStreamSize() async throws {
        var image = Self.xls()
        image.setDirectoryField(entry: image.entryIndex["Workbook"]!, at: 120, to: 0xFFFF_FFF0)
        #expect(try scan(image.bytes).reason == .corrupt)
    }

    @Test("a cut file is truncated", arguments: [600, 2048, 5000, 8000])
    func truncated(length: Int) async throws {
        let image = Self.xls(workbook: CFBBuilder.workbookStream(size: 20_000))
        #expect(image.bytes.count > 8000)
        let verdict = try scan(Array(image.bytes.prefix(length)))
        #expect(verdict.reason == .truncated, "\(verdict.detail)")
    }

    @Test("a header that breaks [MS-CFB] is corrupt")
    func badHeader() async throws {
        var byteOrder = Self.xls()
        byteOrder.bytes.setLE16(0xFEFF, at: 28)
        #expect(try scan(byteOrder.bytes).reason == .corrupt)
        var shift = Self.xls()
        shift.bytes.setLE16(10, at: 30)
        #expect(try scan(shift.bytes).reason == .corrupt)
        #expect(try scan(Array(Self.xls().bytes.prefix(300))).reason == .truncated)
    }
}
