/// Builds compound files ([MS-CFB]) in memory: a degenerate but valid directory tree, small streams in
/// the mini stream, large ones in regular sectors, and a DIFAT chain when the FAT outgrows the header.
struct CFBBuilder {
    struct Node {
        enum Kind { case storage, stream }
        var name: String
        var kind: Kind
        var data: [UInt8] = []
        var children: [Node] = []

        static func stream(_ name: String, _ data: [UInt8]) -> Node { Node(name: name, kind: .stream, data: data) }
        static func storage(_ name: String, _ children: [Node] = []) -> Node { Node(name: name, kind: .storage, children: children) }
    }

    /// The finished file, and where things went, so tests can break them precisely.
    struct Image {
        var bytes: [UInt8]
        let sectorSize: Int
        let fatSectors: [UInt32]
        let difatSectors: [UInt32]
        let firstDirectorySector: UInt32
        /// Directory index of each entry by name (names are unique in these tests).
        let entryIndex: [String: Int]
        /// First sector of each stream: a regular sector, or a mini sector for a small stream.
        let streamStart: [String: UInt32]

        func offset(ofSector sector: UInt32) -> Int { (Int(sector) + 1) * sectorSize }

        mutating func setFAT(_ sector: UInt32, to value: UInt32) {
            let perSector = sectorSize / 4
            bytes.setLE32(value, at: offset(ofSector: fatSectors[Int(sector) / perSector]) + (Int(sector) % perSector) * 4)
        }

        /// Overwrites a 32-bit field of a directory entry (the directory's sectors are contiguous here).
        mutating func setDirectoryField(entry index: Int, at field: Int, to value: UInt32) {
            bytes.setLE32(value, at: offset(ofSector: firstDirectorySector) + index * 128 + field)
        }
    }

    static let endOfChain: UInt32 = 0xFFFF_FFFE
    static let free: UInt32 = 0xFFFF_FFFF
    static let noStream: UInt32 = 0xFFFF_FFFF

    var nodes: [Node]
    var sectorShift = 9

    /// A BIFF8 workbook stream: BOF, optionally FILEPASS (RC4), `filler` records (as the fonts and
    /// formats of a real workbook), a BoundSheet8 record per sheet type, EOF, padded to `size`.
    static func workbookStream(size: Int = 6000, encrypted: Bool = false, filler: Int = 0, sheetTypes: [UInt8] = [0]) -> [UInt8] {
        var bytes: [UInt8] = []
        func record(_ type: Int, _ data: [UInt8]) {
            bytes.appendLE16(type)
            bytes.appendLE16(data.count)
            bytes += data
        }
        record(0x0809, [0x00, 0x06, 0x05, 0x00] + [UInt8](repeating: 0, count: 12))
        if encrypted { record(0x002F, [0x01, 0x00] + [UInt8](repeating: 0xAB, count: 52)) }
        for _ in 0..<filler { record(0x00E0, [UInt8](repeating: 0x11, count: 20)) }
        for (index, type) in sheetTypes.enumerated() {
            record(0x0085, [0, 0, 0, 0, 0, type, 6, 0] + Array("Sheet\(index)".utf8))
        }
        record(0x000A, [])
        return bytes + [UInt8](repeating: 0, count: max(0, size - bytes.count))
    }

    func build() -> Image {
        let sectorSize = 1 << sectorShift
        let perSector = sectorSize / 4
        let cutoff = 4096

        // Flatten the tree: index 0 is the root; siblings hang off each other's right pointer.
        struct Flat {
            var node: Node
            var left = CFBBuilder.noStream, right = CFBBuilder.noStream, child = CFBBuilder.noStream
        }
        var flat = [Flat(node: .storage("Root Entry"))]
        func add(_ children: [Node], parent: Int) {
            var previous: Int?
            for child in children {
                let index = flat.count
                flat.append(Flat(node: child))
                if let previous { flat[previous].right = UInt32(index) } else { flat[parent].child = UInt32(index) }
                previous = index
                add(child.children, parent: index)
            }
        }
        add(nodes, parent: 0)

        func sectors(_ size: Int, _ unit: Int) -> Int { (size + unit - 1) / unit }
        let streams = flat.indices.filter { flat[$0].node.kind == .stream }
        let small = streams.filter { flat[$0].node.data.count < cutoff }
        let large = streams.filter { flat[$0].node.data.count >= cutoff }
        let miniSectorCount = small.reduce(0) { $0 + sectors(flat[$1].node.data.count, 64) }
        let directorySectors = sectors(flat.count * 128, sectorSize)
        let miniFATSectors = sectors(miniSectorCount * 4, sectorSize)
        let miniStreamSectors = sectors(miniSectorCount * 64, sectorSize)
        let largeSectors = large.reduce(0) { $0 + sectors(flat[$1].node.data.count, sectorSize) }
        let base = directorySectors + miniFATSectors + miniStreamSectors + largeSectors

        var fatCount = 1
        var difatCount = 0
        while true {
            let neededFAT = sectors(base + fatCount + difatCount, perSector)
            let neededDIFAT = neededFAT > 109 ? sectors(neededFAT - 109, perSector - 1) : 0
            if neededFAT == fatCount, neededDIFAT == difatCount { break }
            fatCount = neededFAT
            difatCount = neededDIFAT
        }

        var next = 0
        func allocate(_ count: Int) -> [UInt32] {
            defer { next += count }
            return (next..<next + count).map(UInt32.init)
        }
        let fatSectors = allocate(fatCount)
        let difatSectors = allocate(difatCount)
        let directory = allocate(directorySectors)
        let miniFAT = allocate(miniFATSectors)
        let miniStream = allocate(miniStreamSectors)
        let totalSectors = base + fatCount + difatCount

        var fat = [UInt32](repeating: Self.free, count: fatCount * perSector)
        for sector in fatSectors { fat[Int(sector)] = 0xFFFF_FFFD }
        for sector in difatSectors { fat[Int(sector)] = 0xFFFF_FFFC }
        func chain(_ chainSectors: [UInt32], in table: inout [UInt32]) {
            for (position, sector) in chainSectors.enumerated() {
                table[Int(sector)] = position + 1 < chainSectors.count ? chainSectors[position + 1] : Self.endOfChain
            }
        }
        chain(directory, in: &fat)
        chain(miniFAT, in: &fat)
        chain(miniStream, in: &fat)

        var file = [UInt8](repeating: 0, count: (totalSectors + 1) * sectorSize)
        func write(_ data: [UInt8], sector: UInt32, offset: Int = 0) {
            let start = (Int(sector) + 1) * sectorSize + offset
            file.replaceSubrange(start..<start + data.count, with: data)
        }
        var start: [UInt32] = flat.map { _ in Self.endOfChain }
        var streamStart: [String: UInt32] = [:]
        for index in large {
            let data = flat[index].node.data
            let chainSectors = allocate(sectors(data.count, sectorSize))
            chain(chainSectors, in: &fat)
            for (position, sector) in chainSectors.enumerated() {
                write(Array(data[(position * sectorSize)..<min(data.count, (position + 1) * sectorSize)]), sector: sector)
            }
            start[index] = chainSectors[0]
            streamStart[flat[index].node.name] = chainSectors[0]
        }
        var miniFATTable = [UInt32](repeating: Self.free, count: miniFATSectors * perSector)
        var nextMini = 0
        for index in small {
            let data = flat[index].node.data
            let count = sectors(data.count, 64)
            let chainSectors = (nextMini..<nextMini + count).map(UInt32.init)
            nextMini += count
            chain(chainSectors, in: &miniFATTable)
            for (position, mini) in chainSectors.enumerated() {
                let piece = Array(data[(position * 64)..<min(data.count, (position + 1) * 64)])
                write(piece, sector: miniStream[Int(mini) / (sectorSize / 64)], offset: Int(mini) % (sectorSize / 64) * 64)
            }
            start[index] = chainSectors.first ?? Self.endOfChain
            streamStart[flat[index].node.name] = start[index]
        }
        start[0] = miniStream.first ?? Self.endOfChain

        func le32(_ values: [UInt32]) -> [UInt8] {
            var bytes: [UInt8] = []
            for value in values { bytes.appendLE32(value) }
            return bytes
        }
        for (position, sector) in fatSectors.enumerated() {
            write(le32(Array(fat[(position * perSector)..<((position + 1) * perSector)])), sector: sector)
        }
        for (position, sector) in miniFAT.enumerated() {
            write(le32(Array(miniFATTable[(position * perSector)..<((position + 1) * perSector)])), sector: sector)
        }
        let overflow = Array(fatSectors.dropFirst(109))
        for (position, sector) in difatSectors.enumerated() {
            var slots = Array(overflow.dropFirst(position * (perSector - 1)).prefix(perSector - 1))
            slots += [UInt32](repeating: Self.free, count: perSector - 1 - slots.count)
            slots.append(position + 1 < difatSectors.count ? difatSectors[position + 1] : Self.endOfChain)
            write(le32(slots), sector: sector)
        }

        var entries: [UInt8] = []
        var entryIndex: [String: Int] = [:]
        for (index, item) in flat.enumerated() {
            entryIndex[item.node.name] = index
            var entry = [UInt8](repeating: 0, count: 128)
            let units = Array(item.node.name.utf16)
            for (position, unit) in units.enumerated() { entry.setLE16(Int(unit), at: 2 * position) }
            entry.setLE16((units.count + 1) * 2, at: 64)
            entry[66] = index == 0 ? 5 : (item.node.kind == .storage ? 1 : 2)
            entry[67] = 1
            entry.setLE32(item.left, at: 68)
            entry.setLE32(item.right, at: 72)
            entry.setLE32(item.child, at: 76)
            entry.setLE32(start[index], at: 116)
            entry.setLE32(UInt32(index == 0 ? miniSectorCount * 64 : item.node.data.count), at: 120)
            entries += entry
        }
        while entries.count % sectorSize != 0 {
            var empty = [UInt8](repeating: 0, count: 128)
            for field in [68, 72, 76] { empty.setLE32(Self.noStream, at: field) }
            entries += empty
        }
        for (position, sector) in directory.enumerated() {
            write(Array(entries[(position * sectorSize)..<((position + 1) * sectorSize)]), sector: sector)
        }

        var header: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 16)
        header.appendLE16(0x3E)
        header.appendLE16(sectorShift == 9 ? 3 : 4)
        header.appendLE16(0xFFFE)
        header.appendLE16(sectorShift)
        header.appendLE16(6)
        header += [UInt8](repeating: 0, count: 6)
        header.appendLE32(sectorShift == 9 ? 0 : UInt32(directorySectors))
        header.appendLE32(UInt32(fatCount))
        header.appendLE32(directory[0])
        header.appendLE32(0)
        header.appendLE32(4096)
        header.appendLE32(miniFAT.first ?? Self.endOfChain)
        header.appendLE32(UInt32(miniFATSectors))
        header.appendLE32(difatSectors.first ?? Self.endOfChain)
        header.appendLE32(UInt32(difatCount))
        for slot in 0..<109 { header.appendLE32(slot < fatSectors.count ? fatSectors[slot] : Self.free) }
        file.replaceSubrange(0..<header.count, with: header)

        return Image(
            bytes: file, sectorSize: sectorSize, fatSectors: fatSectors, difatSectors: difatSectors,
            firstDirectorySector: directory[0], entryIndex: entryIndex, streamStart: streamStart
        )
    }
}
