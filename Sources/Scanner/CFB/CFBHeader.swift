/// The fixed header of a compound file ([MS-CFB] 2.2), validated on parsing.
struct CFBHeader: Sendable {
    static let size = 512
    /// DIFAT entries held by the header itself; the rest live in the DIFAT chain.
    static let headerDIFATCount = 109
    static let miniSectorSize = 64
    static let miniStreamCutoff: UInt64 = 4096

    let sectorShift: Int
    let fatSectorCount: UInt32
    let firstDirectorySector: UInt32
    let firstMiniFATSector: UInt32
    let miniFATSectorCount: UInt32
    let firstDIFATSector: UInt32
    let difatSectorCount: UInt32
    let headerDIFAT: [UInt32]

    var sectorSize: Int { 1 << sectorShift }
    /// Four-byte entries per FAT, mini FAT or DIFAT sector.
    var entriesPerSector: Int { sectorSize / 4 }
    /// Version 3 files may leave garbage in the high half of stream sizes, so only the low half counts.
    var streamSizeMask: UInt64 { sectorShift == 9 ? 0xFFFF_FFFF : .max }

    init(_ bytes: [UInt8]) throws {
        guard bytes.uint16LE(at: 28) == 0xFFFE else {
            throw Rejection(.corrupt, detail: "CFB: byte order mark is not FFFE")
        }
        let sectorShift = Int(bytes.uint16LE(at: 30))
        guard sectorShift == 9 || sectorShift == 12 else {
            throw Rejection(.corrupt, detail: "CFB: sector shift \(sectorShift)")
        }
        guard bytes.uint16LE(at: 32) == 6, UInt64(bytes.uint32LE(at: 56)) == Self.miniStreamCutoff else {
            throw Rejection(.corrupt, detail: "CFB: unexpected mini sector shift or mini stream cutoff")
        }
        self.sectorShift = sectorShift
        fatSectorCount = bytes.uint32LE(at: 44)
        firstDirectorySector = bytes.uint32LE(at: 48)
        firstMiniFATSector = bytes.uint32LE(at: 60)
        miniFATSectorCount = bytes.uint32LE(at: 64)
        firstDIFATSector = bytes.uint32LE(at: 68)
        difatSectorCount = bytes.uint32LE(at: 72)
        headerDIFAT = (0..<Self.headerDIFATCount).map { bytes.uint32LE(at: 76 + 4 * $0) }
    }
}
