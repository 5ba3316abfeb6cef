/// Where a ZIP's central directory is, from the end-of-central-directory record and, for ZIP64, its locator and record.
struct ZIPEndRecord: Sendable {
    static let signature: UInt32 = 0x0605_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    static let zip64RecordSignature: UInt32 = 0x0606_4B50
    static let minimumSize = 22
    static let zip64LocatorSize = 20
    static let zip64RecordMinimumSize = 56
    /// The record sits within its own size plus the longest comment from the end.
    static let searchLength = minimumSize + 0xFFFF

    let entryCount: UInt64
    let directoryOffset: UInt64
    let directorySize: UInt64

    init(file: FileReader) throws {
        let tailStart = max(0, file.size - Int64(Self.searchLength))
        let tail = try file.read(at: tailStart, count: Self.searchLength)
        guard let index = Self.lastEndRecord(in: tail) else {
            throw Rejection(.truncated, detail: "ZIP: no end-of-central-directory record")
        }
        let endOffset = UInt64(tailStart) + UInt64(index)
        guard tail.uint16LE(at: index + 4) == 0, tail.uint16LE(at: index + 6) == 0,
            tail.uint16LE(at: index + 8) == tail.uint16LE(at: index + 10)
        else {
            throw Rejection(.corrupt, detail: "ZIP: split across several disks")
        }
        var entryCount = UInt64(tail.uint16LE(at: index + 10))
        var directorySize = UInt64(tail.uint32LE(at: index + 12))
        var directoryOffset = UInt64(tail.uint32LE(at: index + 16))
        // The central directory must end where the ZIP64 record, or else the end record, begins.
        var directoryLimit = endOffset

        let locatorIndex = index - Self.zip64LocatorSize
        if locatorIndex >= 0, tail.uint32LE(at: locatorIndex) == Self.zip64LocatorSignature {
            let recordOffset = tail.uint64LE(at: locatorIndex + 8)
            guard recordOffset <= endOffset - UInt64(Self.zip64LocatorSize) else {
                throw Rejection(.corrupt, detail: "ZIP64: end record offset \(recordOffset) lies past its locator")
            }
            let record = try file.readExactly(at: Int64(recordOffset), count: Self.zip64RecordMinimumSize, orReject: .corrupt, "ZIP64 end record")
            guard record.uint32LE(at: 0) == Self.zip64RecordSignature else {
                throw Rejection(.corrupt, detail: "ZIP64: no end record at \(recordOffset)")
            }
            entryCount = record.uint64LE(at: 32)
            directorySize = record.uint64LE(at: 40)
            directoryOffset = record.uint64LE(at: 48)
            directoryLimit = recordOffset
        } else if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            throw Rejection(.corrupt, detail: "ZIP: end record defers to ZIP64, but there is no ZIP64 locator")
        }
        let (directoryEnd, overflow) = directoryOffset.addingReportingOverflow(directorySize)
        guard !overflow, directoryEnd <= directoryLimit else {
            throw Rejection(.corrupt, detail: "ZIP: central directory \(directoryOffset)+\(directorySize) overruns \(directoryLimit)")
        }
        self.entryCount = entryCount
        self.directoryOffset = directoryOffset
        self.directorySize = directorySize
    }

    /// The last signature whose comment fits in the file, searched backwards as common unzippers do,
    /// so that we read the same central directory they would.
    private static func lastEndRecord(in tail: [UInt8]) -> Int? {
        var index = tail.count - minimumSize
        while index >= 0 {
            if tail.uint32LE(at: index) == signature, index + minimumSize + Int(tail.uint16LE(at: index + 20)) <= tail.count {
                return index
            }
            index -= 1
        }
        return nil
    }
}
