/// Reads one stream of a compound file front to back, a sector (or mini sector) at a time,
/// and skips without reading what it does not need.
struct CFBStreamReader {
    private enum Source {
        case regular(CFBChain<CFBFAT>)
        /// Mini sectors, and the chain of regular sectors that holds the mini stream.
        case mini(CFBChain<CFBMiniFAT>, CFBChain<CFBFAT>)
    }

    private let container: CFBContainer
    private let name: String
    private var source: Source
    /// Stream bytes not yet read or skipped.
    private(set) var remaining: UInt64
    private var buffered: ArraySlice<UInt8> = []

    init(container: CFBContainer, stream: CFBDirectoryEntry) {
        self.container = container
        name = stream.name
        remaining = stream.streamSize
        if container.isMini(stream) {
            source = .mini(
                CFBChain(table: container.miniFAT, start: stream.startSector, name: stream.name),
                CFBChain(table: container.fat, start: container.directory.root.startSector, name: "mini stream")
            )
        } else {
            source = .regular(CFBChain(table: container.fat, start: stream.startSector, name: stream.name))
        }
    }

    /// Up to `count` bytes; fewer only at the end of the stream.
    mutating func read(_ count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count, try fill() {
            let part = buffered.prefix(count - bytes.count)
            bytes += part
            buffered = buffered.dropFirst(part.count)
        }
        return bytes
    }

    /// Moves past `count` bytes (or to the end of the stream); whole sectors in between are never read.
    mutating func skip(_ count: Int) throws {
        var left = count
        while left > 0 {
            if buffered.isEmpty {
                guard let unit = try nextUnit() else { return }
                if left >= unit.length {
                    left -= unit.length
                    continue
                }
                try load(unit)
            }
            let part = min(left, buffered.count)
            buffered = buffered.dropFirst(part)
            left -= part
        }
    }

    /// Ensures buffered bytes; false at the end of the stream.
    private mutating func fill() throws -> Bool {
        if !buffered.isEmpty { return true }
        guard let unit = try nextUnit() else { return false }
        try load(unit)
        return true
    }

    private mutating func load(_ unit: (offset: Int64, length: Int)) throws {
        buffered = try container.file.readExactly(at: unit.offset, count: unit.length, orReject: .truncated, "CFB stream \(name)")[...]
    }

    /// The file location of the next sector's stream bytes, consumed from ``remaining``; nil at the end.
    private mutating func nextUnit() throws -> (offset: Int64, length: Int)? {
        guard remaining > 0 else { return nil }
        let header = container.header
        let location: (offset: Int64, length: Int)
        switch source {
        case .regular(var chain):
            guard let sector = try chain.next() else { throw endedEarly() }
            source = .regular(chain)
            location = (CFBFAT.offset(of: sector, header: header), header.sectorSize)
        case .mini(var chain, var miniStream):
            guard let miniSector = try chain.next() else { throw endedEarly() }
            let perSector = header.sectorSize / CFBHeader.miniSectorSize
            let sector = try miniStream.sector(at: Int(miniSector) / perSector)
            source = .mini(chain, miniStream)
            let within = Int64(Int(miniSector) % perSector * CFBHeader.miniSectorSize)
            location = (CFBFAT.offset(of: sector, header: header) + within, CFBHeader.miniSectorSize)
        }
        let length = Int(min(UInt64(location.length), remaining))
        remaining -= UInt64(length)
        return (location.offset, length)
    }

    private func endedEarly() -> Rejection {
        Rejection(.corrupt, detail: "CFB: \(name) chain ends with \(remaining) bytes of the stream unread")
    }
}
