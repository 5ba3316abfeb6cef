/// Reading an entry's content: through its local header, then stored or deflated data, streamed in
/// constant memory and checked against the sizes and the CRC-32 that the central directory states.
extension ZIPCentralEntry {
    static let localSignature: UInt32 = 0x0403_4B50
    static let localFixedSize = 30
    static let methodStored: UInt16 = 0
    static let methodDeflate: UInt16 = 8

    /// Where the entry's stored bytes lie, after checking that its local header is there and names it.
    /// `dataLimit` is where entry data must end (the central directory).
    func dataRange(in file: FileReader, dataLimit: UInt64) throws -> Range<UInt64> {
        let label = "ZIP entry \(nameText)"
        guard localHeaderOffset < dataLimit else {
            throw Rejection(.corrupt, detail: "\(label): local header offset \(localHeaderOffset) lies past the entry data")
        }
        let local = try file.readExactly(at: Int64(localHeaderOffset), count: Self.localFixedSize, orReject: .corrupt, "\(label) local header")
        guard local.uint32LE(at: 0) == Self.localSignature else {
            throw Rejection(.corrupt, detail: "\(label): no local header at \(localHeaderOffset)")
        }
        let nameLength = Int(local.uint16LE(at: 26))
        let dataStart = localHeaderOffset + UInt64(Self.localFixedSize + nameLength + Int(local.uint16LE(at: 28)))
        let (dataEnd, overflow) = dataStart.addingReportingOverflow(compressedSize)
        guard !overflow, dataEnd <= dataLimit else {
            throw Rejection(.corrupt, detail: "\(label): data overruns the central directory")
        }
        // Two names for one entry is how archives show one file to a checker and another to Excel.
        let localName = try file.readExactly(
            at: Int64(localHeaderOffset) + Int64(Self.localFixedSize), count: nameLength, orReject: .corrupt, "\(label) local name")
        guard localName == name else {
            throw Rejection(.zipUnsafe, detail: "\(label): local header names \(String(decoding: localName, as: UTF8.self))")
        }
        return dataStart..<dataEnd
    }

    /// Streams the entry's content to `body`, piece by piece. Inflating stops one byte past the stated
    /// size: more is a lie that hides a bomb (`zip_unsafe`); less, or another CRC, is `corrupt`.
    func streamContent(from file: FileReader, dataLimit: UInt64, body: (UnsafeRawBufferPointer) throws -> Void = { _ in }) throws {
        let label = "ZIP entry \(nameText)"
        let range = try dataRange(in: file, dataLimit: dataLimit)
        var reader = SequentialReader(file: file, offset: Int64(range.lowerBound))
        var left = Int(range.count)
        var crc = CRC32()
        var produced = 0
        func consume(_ bytes: UnsafeRawBufferPointer) throws {
            crc.update(bytes)
            produced += bytes.count
            try body(bytes)
        }
        switch method {
        case Self.methodStored:
            guard compressedSize == uncompressedSize else {
                throw Rejection(.corrupt, detail: "\(label): stored, but \(compressedSize) bytes stand for \(uncompressedSize)")
            }
            while left > 0, let slice = try reader.next(upTo: left) {
                try slice.withUnsafeBytes { try consume($0) }
                left -= slice.count
            }
        case Self.methodDeflate:
            do {
                let inflater = try InflateStream(.raw, outputLimit: Int(clamping: uncompressedSize))
                while left > 0, let slice = try reader.next(upTo: left) {
                    try inflater.feed(slice, output: consume)
                    left -= slice.count
                }
                try inflater.finish(output: consume)
            } catch InflateError.outputLimitExceeded {
                throw Rejection(.zipUnsafe, detail: "\(label): inflates to more than the \(uncompressedSize) bytes it states")
            } catch let error as InflateError {
                throw Rejection(.corrupt, detail: "\(label): deflate data: \(error)")
            }
        default:
            throw Rejection(.corrupt, detail: "\(label): unsupported compression method \(method)")
        }
        guard left == 0 else { throw Rejection(.truncated, detail: "\(label): data cut \(left) bytes short") }
        guard produced == Int(clamping: uncompressedSize) else {
            throw Rejection(.corrupt, detail: "\(label): holds \(produced) bytes, states \(uncompressedSize)")
        }
        guard crc.value == crc32 else {
            throw Rejection(.corrupt, detail: "\(label): bad CRC (\(crc.value), states \(crc32))")
        }
    }

    /// A small entry's whole content; `maxSize` caps memory and inflation.
    func readContent(from file: FileReader, dataLimit: UInt64, maxSize: Int) throws -> [UInt8] {
        guard uncompressedSize <= UInt64(maxSize), compressedSize <= UInt64(maxSize) + 4096 else {
            throw Rejection(.zipUnsafe, detail: "ZIP entry \(nameText): \(uncompressedSize) bytes stated, at most \(maxSize) read")
        }
        var content: [UInt8] = []
        content.reserveCapacity(Int(uncompressedSize))
        try streamContent(from: file, dataLimit: dataLimit) { content.append(contentsOf: $0) }
        return content
    }
}
