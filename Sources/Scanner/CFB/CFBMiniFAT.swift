/// The mini FAT: links the 64-byte sectors of the mini stream, which holds streams under 4096 bytes.
struct CFBMiniFAT: CFBAllocationTable {
    /// Mini sectors that the mini stream (the root entry's stream) actually holds.
    let sectorCount: UInt32
    var outOfRangeReason: RejectionReason { .corrupt }
    private let file: FileReader
    private let header: CFBHeader
    private var miniFATChain: CFBChain<CFBFAT>
    private var cachedIndex = -1
    private var cached: [UInt8] = []

    init(fat: CFBFAT, miniStreamSize: UInt64) {
        file = fat.file
        header = fat.header
        let miniSectors = miniStreamSize / UInt64(CFBHeader.miniSectorSize) + (miniStreamSize % UInt64(CFBHeader.miniSectorSize) == 0 ? 0 : 1)
        // The mini stream lives in the file's regular sectors, so it holds no more mini sectors than
        // they do, whatever the root entry claims. A chain counts as a loop only after visiting
        // `sectorCount` sectors: trusting a claimed 2^64-byte mini stream let a mini chain that
        // points to itself spin 4 billion times.
        let fileMiniSectors = UInt64(fat.sectorCount) * UInt64(fat.header.sectorSize / CFBHeader.miniSectorSize)
        sectorCount = UInt32(min(miniSectors, fileMiniSectors, UInt64(CFBSector.maxRegular)))
        miniFATChain = CFBChain(table: fat, start: fat.header.firstMiniFATSector, name: "mini FAT")
    }

    mutating func next(after sector: UInt32) throws -> UInt32 {
        let index = Int(sector) / header.entriesPerSector
        guard index < Int(header.miniFATSectorCount) else {
            throw Rejection(.corrupt, detail: "CFB: mini sector \(sector) lies beyond the mini FAT's \(header.miniFATSectorCount) sectors")
        }
        if index != cachedIndex {
            let location = try miniFATChain.sector(at: index)
            cached = try CFBFAT.readSector(location, file: file, header: header, "mini FAT")
            cachedIndex = index
        }
        return cached.uint32LE(at: (Int(sector) % header.entriesPerSector) * 4)
    }
}
