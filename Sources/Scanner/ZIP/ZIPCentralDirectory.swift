/// Streams through a ZIP's central directory entry by entry, so memory does not grow with the entry count.
struct ZIPCentralDirectory {
    let file: FileReader
    let end: ZIPEndRecord

    init(file: FileReader) throws {
        self.file = file
        end = try ZIPEndRecord(file: file)
    }

    /// Calls `body` for each entry, in order; the headers must fill the directory exactly as the end record says.
    func forEach(_ body: (ZIPCentralEntry) throws -> Void) throws {
        var reader = SequentialReader(file: file, offset: Int64(end.directoryOffset))
        let directoryEnd = Int64(end.directoryOffset + end.directorySize)
        var count: UInt64 = 0
        while reader.offset < directoryEnd {
            guard count < end.entryCount else {
                throw Rejection(.corrupt, detail: "ZIP: central directory holds more than the \(end.entryCount) entries it states")
            }
            guard directoryEnd - reader.offset >= Int64(ZIPCentralEntry.fixedSize),
                let header = try reader.take(ZIPCentralEntry.fixedSize),
                header.uint32LE(at: 0) == ZIPCentralEntry.signature
            else {
                throw Rejection(.corrupt, detail: "ZIP: no central directory header at \(reader.offset)")
            }
            let restLength = Int(header.uint16LE(at: 28)) + Int(header.uint16LE(at: 30)) + Int(header.uint16LE(at: 32))
            guard directoryEnd - reader.offset >= Int64(restLength), let rest = try reader.take(restLength) else {
                throw Rejection(.corrupt, detail: "ZIP: central directory header at \(reader.offset) overruns the directory")
            }
            try body(ZIPCentralEntry(header: header, rest: rest))
            count += 1
        }
        guard count == end.entryCount else {
            throw Rejection(.corrupt, detail: "ZIP: central directory holds \(count) entries, the end record states \(end.entryCount)")
        }
    }
}
