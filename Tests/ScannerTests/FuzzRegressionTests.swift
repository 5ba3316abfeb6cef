import Scanner
import Testing

/// Inputs that the fuzz targets in `fuzz/` (or their review) showed to cost a crash or a hang,
/// each reduced to the structure that matters.
@Suite("Fuzz regressions (Scanner)")
struct FuzzRegressionTests {
    /// A root entry may claim a mini stream of up to 2^64 bytes. The mini FAT used that claim as
    /// its sector count, and a chain counts as a loop only after visiting that many sectors, so
    /// a workbook whose mini chain points to itself kept the check busy for 67 million steps
    /// (version 3, 32-bit sizes) or 4 billion (version 4).
    @Test("a looping mini chain under a root entry claiming a huge mini stream is caught at once", arguments: [9, 12])
    func miniChainLoopUnderHugeMiniStream(sectorShift: Int) async throws {
        var image = CFBTests.xls(workbook: CFBBuilder.workbookStream(size: 700), sectorShift: sectorShift)
        image.setDirectoryField(entry: 0, at: 120, to: 0xFFFF_FFFF)
        image.setDirectoryField(entry: 0, at: 124, to: 0xFFFF_FFFF)
        let workbookStart = try #require(image.streamStart["Workbook"])
        let firstMiniFATSector = (0..<4).reduce(UInt32(0)) { $0 | UInt32(image.bytes[60 + $1]) << (8 * $1) }
        image.bytes.setLE32(workbookStart, at: image.offset(ofSector: firstMiniFATSector) + Int(workbookStart) * 4)

        let verdict = try scan(image.bytes)
        #expect(verdict.reason == .corrupt, "\(verdict.detail)")
        #expect(verdict.detail.contains("Workbook chain loops"), "\(verdict.detail)")
    }
}
