/// Reading one small entry's content: through its local header, then stored or deflated data.
extension ZIPCentralEntry {
    static let localSignature: UInt32 = 0x0403_4B50
    static let localFixedSize = 30
    static let methodStored: UInt16 = 0
    static let methodDeflate: UInt16 = 8

    /// The entry's content, checked against the sizes and CRC the central directory states.
    /// `dataLimit` is where entry data must end (the central directory); `maxSize` caps memory and inflation.
    func readContent(from file: FileReader, dataLimit: UInt64, maxSize: Int) throws -> [UInt8] {
        let label = "ZIP entry \(nameText)"
        guard uncompressedSize <= UInt64(maxSize), compressedSize <= UInt64(maxSize) + 4096 else {
            throw Rejection(.zipUnsafe, detail: "\(label): \(uncompressedSize) bytes stated, at most \(maxSize) read")
        }
        guard localHeaderOffset < dataLimit else {
            throw Rejection(.corrupt, detail: "\(label): local header offset \(localHeaderOffset) lies past the entry data")
        }
        let local = try file.readExactly(at: Int64(localHeaderOffset), count: Self.localFixedSize, orReject: .corrupt, "\(label) local header")
        guard local.uint32LE(at: 0) == Self.localSignature else {
            throw Rejection(.corrupt, detail: "\(label): no local header at \(localHeaderOffset)")
        }
        let nameLength = Int(local.uint16LE(at: 26))
        let dataStart = localHeaderOffset + UInt64(Self.localFixedSize + nameLength + Int(local.uint16LE(at: 28)))
        guard dataStart + compressedSize <= dataLimit else {
            throw Rejection(.corrupt, detail: "\(label): data overruns the central directory")
        }
        // Two names for one entry is how archives show one file to a checker and another to Excel.
        let localName = try file.readExactly(at: Int64(localHeaderOffset) + Int64(Self.localFixedSize), count: nameLength, orReject: .corrupt, "\(label) local name")
        guard localName == name else {
            throw Rejection(.zipUnsafe, detail: "\(label): local header names \(String(decoding: localName, as: UTF8.self))")
        }
        let stored = try file.readExactly(at: Int64(dataStart), count: Int(compressedSize), orReject: .corrupt, "\(label) data")
        let content: [UInt8]
        switch method {
        case Self.methodStored:
            content = stored
        case Self.methodDeflate:
            do {
                content = try Inflater.inflate(stored, maxOutput: Int(uncompressedSize))
            } catch {
                throw Rejection(.corrupt, detail: "\(label): deflate data: \(error)")
            }
        default:
            throw Rejection(.corrupt, detail: "\(label): unsupported compression method \(method)")
        }
        var crc = CRC32()
        crc.update(content)
        guard content.count == Int(uncompressedSize), crc.value == crc32 else {
            throw Rejection(.corrupt, detail: "\(label): content does not match its stated size or CRC")
        }
        return content
    }
}
