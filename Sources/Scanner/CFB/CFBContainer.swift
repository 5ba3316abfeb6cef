/// An opened compound file ([MS-CFB]): its header, FAT and directory, and access to its streams.
struct CFBContainer {
    let file: FileReader
    let header: CFBHeader
    let fat: CFBFAT
    let directory: CFBDirectory

    init(file: FileReader, limits: ScanLimits) throws {
        let headerBytes = try file.readExactly(at: 0, count: CFBHeader.size, orReject: .truncated, "CFB header")
        let header = try CFBHeader(headerBytes)
        // A version 4 header fills a whole 4096-byte sector; the first sector starts after it.
        guard file.size > Int64(header.sectorSize) else {
            throw Rejection(.truncated, detail: "CFB: \(file.size) bytes hold no sector after the header")
        }
        self.file = file
        self.header = header
        fat = try CFBFAT(file: file, header: header)
        directory = try CFBDirectory(fat: fat, maxEntries: limits.maxCFBDirectoryEntries)
    }

    /// The first bytes (at most `count`) of `stream`, after checking that its whole chain exists.
    func readStart(of stream: CFBDirectoryEntry, count: Int) throws -> [UInt8] {
        let wanted = Int(min(UInt64(count), stream.streamSize))
        if stream.streamSize < CFBHeader.miniStreamCutoff {
            return try readMiniStreamStart(of: stream, count: wanted)
        }
        let sectorSize = UInt64(header.sectorSize)
        var verifier = CFBChain(table: fat, start: stream.startSector, name: stream.name)
        try verifier.verify(holds: stream.streamSize / sectorSize + (stream.streamSize % sectorSize == 0 ? 0 : 1))

        var chain = CFBChain(table: fat, start: stream.startSector, name: stream.name)
        var bytes: [UInt8] = []
        while bytes.count < wanted, let sector = try chain.next() {
            let offset = CFBFAT.offset(of: sector, header: header)
            let part = min(header.sectorSize, wanted - bytes.count)
            bytes += try file.readExactly(at: offset, count: part, orReject: .truncated, "CFB stream \(stream.name)")
        }
        return bytes
    }

    /// Streams under the cutoff live in the mini stream, itself a chain of regular sectors owned by the root entry.
    private func readMiniStreamStart(of stream: CFBDirectoryEntry, count: Int) throws -> [UInt8] {
        let miniSize = UInt64(CFBHeader.miniSectorSize)
        let root = directory.root
        let miniFAT = CFBMiniFAT(fat: fat, miniStreamSize: root.streamSize)
        var verifier = CFBChain(table: miniFAT, start: stream.startSector, name: stream.name)
        try verifier.verify(holds: stream.streamSize / miniSize + (stream.streamSize % miniSize == 0 ? 0 : 1))

        var chain = CFBChain(table: miniFAT, start: stream.startSector, name: stream.name)
        var miniStream = CFBChain(table: fat, start: root.startSector, name: "mini stream")
        let perSector = header.sectorSize / CFBHeader.miniSectorSize
        var bytes: [UInt8] = []
        while bytes.count < count, let miniSector = try chain.next() {
            let sector = try miniStream.sector(at: Int(miniSector) / perSector)
            let offset = CFBFAT.offset(of: sector, header: header) + Int64(Int(miniSector) % perSector * CFBHeader.miniSectorSize)
            let part = min(CFBHeader.miniSectorSize, count - bytes.count)
            bytes += try file.readExactly(at: offset, count: part, orReject: .truncated, "CFB mini stream")
        }
        return bytes
    }
}
