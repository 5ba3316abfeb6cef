/// The file allocation table, read one FAT sector at a time so memory does not grow with the file.
struct CFBFAT: CFBAllocationTable {
    let file: FileReader
    let header: CFBHeader
    let sectorCount: UInt32
    var outOfRangeReason: RejectionReason { .truncated }
    /// Where the FAT sectors that cover the file's sectors live; FAT sectors beyond those describe nothing.
    private let fatSectors: [UInt32]
    private var cachedIndex = -1
    private var cached: [UInt8] = []

    /// Locates the FAT through the header's DIFAT and the DIFAT chain, and checks that the
    /// file is as long as the FAT says.
    init(file: FileReader, header: CFBHeader) throws {
        self.file = file
        self.header = header
        let sectorSize = Int64(header.sectorSize)
        let sectors = (file.size - sectorSize + sectorSize - 1) / sectorSize
        sectorCount = UInt32(min(sectors, Int64(CFBSector.maxRegular) + 1))
        fatSectors = try Self.locateFATSectors(file: file, header: header, sectorCount: sectorCount)
        try checkEntriesFitFile()
    }

    /// The sector's byte offset; sector 0 follows the header, which fills one sector.
    static func offset(of sector: UInt32, header: CFBHeader) -> Int64 {
        (Int64(sector) + 1) << header.sectorShift
    }

    /// One whole sector, which must exist in full.
    static func readSector(_ sector: UInt32, file: FileReader, header: CFBHeader, _ what: String) throws -> [UInt8] {
        try file.readExactly(at: offset(of: sector, header: header), count: header.sectorSize, orReject: .truncated, "CFB \(what) sector \(sector)")
    }

    mutating func next(after sector: UInt32) throws -> UInt32 {
        let index = Int(sector) / header.entriesPerSector
        guard index < fatSectors.count else {
            throw Rejection(.corrupt, detail: "CFB: sector \(sector) lies beyond the FAT's \(fatSectors.count) sectors")
        }
        if index != cachedIndex {
            cached = try Self.readSector(fatSectors[index], file: file, header: header, "FAT")
            cachedIndex = index
        }
        return cached.uint32LE(at: (Int(sector) % header.entriesPerSector) * 4)
    }

    /// Every FAT sector the header counts must exist; only those covering the file's own sectors are kept.
    private static func locateFATSectors(file: FileReader, header: CFBHeader, sectorCount: UInt32) throws -> [UInt32] {
        let claimed = Int(header.fatSectorCount)
        guard claimed > 0, claimed <= Int(sectorCount) else {
            throw Rejection(
                claimed > 0 ? .truncated : .corrupt, detail: "CFB: header claims \(claimed) FAT sectors, the file has \(sectorCount) sectors")
        }
        let needed = min(claimed, (Int(sectorCount) + header.entriesPerSector - 1) / header.entriesPerSector)
        var located: [UInt32] = []
        located.reserveCapacity(needed)
        var seen = 0
        func take(_ sector: UInt32) throws {
            guard sector <= CFBSector.maxRegular else {
                throw Rejection(.corrupt, detail: "CFB: FAT sector \(seen) is special value \(String(sector, radix: 16))")
            }
            guard sector < sectorCount else {
                throw Rejection(.truncated, detail: "CFB: FAT sector \(seen) at \(sector), the file has \(sectorCount) sectors")
            }
            if located.count < needed { located.append(sector) }
            seen += 1
        }
        for sector in header.headerDIFAT.prefix(claimed) { try take(sector) }

        var difatSector = header.firstDIFATSector
        var difatSteps = 0
        while seen < claimed {
            guard difatSteps < Int(header.difatSectorCount), difatSector <= CFBSector.maxRegular else {
                throw Rejection(.corrupt, detail: "CFB: DIFAT chain ends after \(difatSteps) sectors with \(claimed - seen) FAT sectors unlocated")
            }
            guard difatSector < sectorCount else {
                throw Rejection(.truncated, detail: "CFB: DIFAT sector at \(difatSector), the file has \(sectorCount) sectors")
            }
            let bytes = try readSector(difatSector, file: file, header: header, "DIFAT")
            for slot in 0..<(header.entriesPerSector - 1) where seen < claimed {
                try take(bytes.uint32LE(at: 4 * slot))
            }
            difatSector = bytes.uint32LE(at: 4 * (header.entriesPerSector - 1))
            difatSteps += 1
        }
        // A chain that goes on after the last FAT sector loops or lies about the FAT's size.
        if difatSteps > 0, difatSector != CFBSector.endOfChain, difatSector != CFBSector.free {
            throw Rejection(.corrupt, detail: "CFB: DIFAT chain continues to \(difatSector) after the last FAT sector")
        }
        return located
    }

    /// A FAT entry that uses a sector past the end of the file, or points to one, means the file was cut.
    private mutating func checkEntriesFitFile() throws {
        for index in fatSectors.indices {
            let firstSector = index * header.entriesPerSector
            for slot in 0..<header.entriesPerSector {
                let sector = UInt32(clamping: firstSector + slot)
                let entry = try next(after: sector)
                let inUse = entry != CFBSector.free
                if (inUse && sector >= sectorCount) || (entry <= CFBSector.maxRegular && entry >= sectorCount) {
                    throw Rejection(.truncated, detail: "CFB: FAT entry \(sector) → \(entry), the file has \(sectorCount) sectors")
                }
            }
        }
    }
}
