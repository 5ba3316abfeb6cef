/// All directory entries of a compound file, and the tree that links them.
struct CFBDirectory: Sendable {
    let entries: [CFBDirectoryEntry]

    /// Reads the directory chain; the entry count is capped because a hostile file can claim millions.
    init(fat: CFBFAT, maxEntries: Int) throws {
        let header = fat.header
        var chain = CFBChain(table: fat, start: header.firstDirectorySector, name: "directory")
        var entries: [CFBDirectoryEntry] = []
        while let sector = try chain.next() {
            guard entries.count < maxEntries else {
                throw Rejection(.corrupt, detail: "CFB: more than \(maxEntries) directory entries")
            }
            let bytes = try CFBFAT.readSector(sector, file: fat.file, header: header, "directory")
            for slot in 0..<(header.sectorSize / CFBDirectoryEntry.size) {
                let start = slot * CFBDirectoryEntry.size
                let entry = try CFBDirectoryEntry(
                    bytes[start..<start + CFBDirectoryEntry.size], index: entries.count, sizeMask: header.streamSizeMask)
                entries.append(entry)
            }
        }
        guard entries.first?.kind == .root else {
            throw Rejection(.corrupt, detail: "CFB: directory does not start with the root entry")
        }
        self.entries = entries
    }

    var root: CFBDirectoryEntry { entries[0] }

    /// The direct children of the storage at `index`: the nodes of its red-black tree.
    /// A node reached twice means a cycle or a shared subtree, which no valid file has.
    func children(of index: Int) throws -> [CFBDirectoryEntry] {
        var visited = [Bool](repeating: false, count: entries.count)
        var pending = [entries[index].child]
        var children: [CFBDirectoryEntry] = []
        while let next = pending.popLast() {
            if next == CFBSector.noStream { continue }
            guard Int(next) < entries.count, !visited[Int(next)] else {
                throw Rejection(.corrupt, detail: "CFB: directory tree under entry \(index) is broken at \(next)")
            }
            visited[Int(next)] = true
            let entry = entries[Int(next)]
            guard entry.kind != .unallocated else {
                throw Rejection(.corrupt, detail: "CFB: directory tree under entry \(index) reaches unallocated entry \(next)")
            }
            children.append(entry)
            pending.append(entry.left)
            pending.append(entry.right)
        }
        return children
    }
}
