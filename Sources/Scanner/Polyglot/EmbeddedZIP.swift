/// A ZIP archive that a ZIP reader would open from the end of a PDF or PNG.
///
/// Readers look for the end-of-central-directory record in the last 64 KiB (its comment's longest
/// length), so that is the one place to look. A signature is not a structure: the record counts
/// only when its central directory leads to a local header that names the same entry, either at the
/// stated offsets or shifted by the bytes in front of the archive, as readers correct for.
enum EmbeddedZIP {
    static let endSignature: UInt32 = 0x0605_4B50
    static let endSize = 22
    /// How far from the end a reader searches: the end record plus the longest comment.
    static let searchLength = endSize + 0xFFFF
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    static let zip64RecordSignature: UInt32 = 0x0606_4B50

    /// The file's last `searchLength` bytes (all of it when shorter), and where they start.
    static func tail(of file: FileReader) throws -> (bytes: [UInt8], start: Int64) {
        let start = max(0, file.size - Int64(searchLength))
        return (try file.read(at: start, count: Int(file.size - start)), start)
    }

    /// What the archive looks like, for the rejection's detail, or nil when no ZIP reader would open one.
    static func find(in file: FileReader, tail: [UInt8], tailStart: Int64) throws -> String? {
        var index = tail.count - endSize
        while index >= 0 {
            if tail.uint32LE(at: index) == endSignature,
                let found = try archive(endingAt: tailStart + Int64(index), tail: tail, tailIndex: index, file: file)
            {
                return found
            }
            index -= 1
        }
        return nil
    }

    private static func archive(endingAt endOffset: Int64, tail: [UInt8], tailIndex: Int, file: FileReader) throws -> String? {
        let record = tail[tailIndex..<tailIndex + endSize]
        let entries = UInt64(record.uint16LE(at: 10))
        guard entries > 0, record.uint16LE(at: 4) == 0, record.uint16LE(at: 6) == 0 else { return nil }
        var directorySize = UInt64(record.uint32LE(at: 12))
        var directoryOffset = UInt64(record.uint32LE(at: 16))
        var directoryEnd = endOffset
        if entries == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            let locator = tailIndex - 20
            guard locator >= 0, tail.uint32LE(at: locator) == zip64LocatorSignature, endOffset >= 20 + 56 else { return nil }
            let recordOffset = endOffset - 20 - 56
            let zip64 = try file.read(at: recordOffset, count: 56)
            guard zip64.count == 56, zip64.uint32LE(at: 0) == zip64RecordSignature else { return nil }
            directorySize = zip64.uint64LE(at: 40)
            directoryOffset = zip64.uint64LE(at: 48)
            directoryEnd = recordOffset
        }
        guard directorySize >= 46, directorySize <= UInt64(directoryEnd), directoryOffset < UInt64(directoryEnd) else { return nil }
        let actualStart = UInt64(directoryEnd) - directorySize
        var shifts: [UInt64] = [0]
        if actualStart > directoryOffset { shifts.append(actualStart - directoryOffset) }
        for shift in shifts {
            let directory = directoryOffset + shift
            let header = try file.read(at: Int64(directory), count: 46)
            guard header.count == 46, header.uint32LE(at: 0) == 0x0201_4B50 else { continue }
            let nameLength = Int(header.uint16LE(at: 28))
            var stated = UInt64(header.uint32LE(at: 42))
            if stated == 0xFFFF_FFFF {
                stated = try zip64LocalOffset(header: header, at: Int64(directory), file: file) ?? stated
            }
            let (local, overflow) = stated.addingReportingOverflow(shift)
            guard nameLength > 0, !overflow, local < UInt64(file.size) else { continue }
            let name = try file.read(at: Int64(directory) + 46, count: nameLength)
            let localHeader = try file.read(at: Int64(local), count: 30 + nameLength)
            guard localHeader.count == 30 + nameLength, localHeader.uint32LE(at: 0) == 0x0403_4B50,
                Int(localHeader.uint16LE(at: 26)) == nameLength, localHeader[30...].elementsEqual(name)
            else { continue }
            let nameText = String(decoding: name.prefix(100), as: UTF8.self)
            return "a ZIP archive: end record at \(endOffset), \(entries) entries, the first (\(nameText)) at \(local)"
        }
        return nil
    }

    /// The local header offset from a central header's ZIP64 extra field, after the sizes it saturates.
    private static func zip64LocalOffset(header: [UInt8], at offset: Int64, file: FileReader) throws -> UInt64? {
        let nameLength = Int(header.uint16LE(at: 28))
        let extraLength = Int(header.uint16LE(at: 30))
        var extra = try file.read(at: offset + 46 + Int64(nameLength), count: extraLength)[...]
        while extra.count >= 4 {
            let size = Int(extra.uint16LE(at: 2))
            guard extra.uint16LE(at: 0) == 0x0001 else {
                extra = extra.dropFirst(4 + size)
                continue
            }
            let skipped = (header.uint32LE(at: 24) == 0xFFFF_FFFF ? 8 : 0) + (header.uint32LE(at: 20) == 0xFFFF_FFFF ? 8 : 0)
            guard size >= skipped + 8, extra.count >= 4 + skipped + 8 else { return nil }
            return extra.uint64LE(at: 4 + skipped)
        }
        return nil
    }
}
