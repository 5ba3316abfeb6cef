/// The PNG structural check, in one pass through a fixed buffer: IHDR first and within the spec and
/// the limits, every chunk's CRC, the image data inflated (constant memory) to exactly the length IHDR
/// implies, and IEND last.
///
/// Polyglots are refused: bytes after IEND (no encoder writes them), a chunk that starts with another
/// format's header, or a ZIP that a ZIP reader finds from the end of the file (``EmbeddedZIP``).
enum PNGCheck {
    static let signatureLength = 8
    /// Chunks of binary tables, whose first bytes may be anything: not searched for foreign headers.
    static let tableChunks: Set<String> = ["IDAT", "PLTE", "tRNS", "hIST", "sPLT"]

    static func check(_ file: FileReader, limits: ScanLimits) throws -> DocumentType {
        var reader = SequentialReader(file: file, offset: Int64(signatureLength))
        var index = 0
        var image: PNGImageData?
        var sawImageData = false
        var sawPalette = false
        while true {
            guard let headerBytes = try reader.take(PNGChunkHeader.size) else {
                throw Rejection(.truncated, detail: "PNG: file ends after \(index) chunks, before IEND")
            }
            let header = PNGChunkHeader(headerBytes)
            let name = header.typeName
            guard header.hasValidType, header.length <= PNGChunkHeader.maxLength else {
                throw Rejection(.corrupt, detail: "PNG: chunk \(index) at \(reader.offset - 8) has no valid type or length")
            }
            if index == 0, name != "IHDR" || header.length != UInt32(PNGHeader.length) {
                throw Rejection(.corrupt, detail: "PNG: first chunk is \(name) of length \(header.length), not IHDR of length 13")
            }
            if index > 0, name == "IHDR" {
                throw Rejection(.corrupt, detail: "PNG: second IHDR at chunk \(index)")
            }
            sawPalette = sawPalette || name == "PLTE"
            let isImageData = name == "IDAT"
            sawImageData = sawImageData || isImageData
            if isImageData, let header = image?.header, header.isIndexed, !sawPalette {
                throw Rejection(.corrupt, detail: "PNG: indexed-colour image data before any PLTE")
            }

            var crc = CRC32()
            crc.update(header.type)
            var dataLeft = Int(header.length)
            var firstData: [UInt8] = []
            while dataLeft > 0 {
                guard let slice = try reader.next(upTo: dataLeft) else {
                    throw Rejection(.truncated, detail: "PNG: chunk \(name) (\(index)) is cut \(dataLeft) bytes short")
                }
                if !isImageData, firstData.count < ForeignHeader.inspectedLength {
                    firstData.append(contentsOf: slice.prefix(ForeignHeader.inspectedLength - firstData.count))
                }
                crc.update(slice)
                if isImageData { try image?.append(slice) }
                dataLeft -= slice.count
            }
            guard let stored = try reader.take(4) else {
                throw Rejection(.truncated, detail: "PNG: chunk \(name) (\(index)) has no CRC")
            }
            guard stored.uint32BE(at: 0) == crc.value else {
                throw Rejection(.corrupt, detail: "PNG: CRC mismatch in chunk \(name) (\(index))")
            }
            if index == 0 {
                image = try PNGImageData(PNGHeader(firstData, limits: limits))
            } else if !tableChunks.contains(name), let format = ForeignHeader.format(startingAt: firstData) {
                throw Rejection(.polyglot, detail: "PNG: chunk \(name) (\(index)) holds: \(format)")
            }
            if name == "IEND" {
                guard header.length == 0 else { throw Rejection(.corrupt, detail: "PNG: IEND carries \(header.length) bytes") }
                break
            }
            index += 1
        }
        guard sawImageData, var image else { throw Rejection(.corrupt, detail: "PNG: no IDAT chunk") }
        try image.finish()
        guard reader.remaining == 0 else {
            let after = try file.read(at: reader.offset, count: ForeignHeader.inspectedLength)
            let what = ForeignHeader.format(startingAt: after).map { ", starting with: \($0)" } ?? ""
            throw Rejection(.polyglot, detail: "PNG: \(reader.remaining) bytes after IEND\(what)")
        }
        let (tail, tailStart) = try EmbeddedZIP.tail(of: file)
        if let archive = try EmbeddedZIP.find(in: file, tail: tail, tailStart: tailStart) {
            throw Rejection(.polyglot, detail: "PNG that is also \(archive)")
        }
        return .png
    }
}
