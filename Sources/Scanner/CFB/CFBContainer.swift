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

    /// Whether `stream` lives in the mini stream rather than in regular sectors.
    func isMini(_ stream: CFBDirectoryEntry) -> Bool {
        stream.streamSize < CFBHeader.miniStreamCutoff
    }

    /// The mini FAT, for streams under the cutoff; the mini stream itself is the root entry's stream.
    var miniFAT: CFBMiniFAT { CFBMiniFAT(fat: fat, miniStreamSize: directory.root.streamSize) }

    /// Fails unless the chain of `stream` holds every sector its size needs.
    func verifyChain(of stream: CFBDirectoryEntry) throws {
        let unit = UInt64(isMini(stream) ? CFBHeader.miniSectorSize : header.sectorSize)
        let needed = stream.streamSize / unit + (stream.streamSize % unit == 0 ? 0 : 1)
        if isMini(stream) {
            var chain = CFBChain(table: miniFAT, start: stream.startSector, name: stream.name)
            try chain.verify(holds: needed)
        } else {
            var chain = CFBChain(table: fat, start: stream.startSector, name: stream.name)
            try chain.verify(holds: needed)
        }
    }
}
