/// The PNG structural check: IHDR first, every chunk's CRC, at least one IDAT, and IEND last.
///
/// Bytes after IEND are rejected as corrupt: no encoder writes them, and they are how
/// polyglot files (a PNG that is also a ZIP or an HTML page) are built.
enum PNGCheck {
    static let signatureLength = 8
    static let ihdrLength: UInt32 = 13

    static func check(_ file: FileReader) throws -> DocumentType {
        var reader = SequentialReader(file: file, offset: Int64(signatureLength))
        var index = 0
        var sawImageData = false
        while true {
            guard let headerBytes = try reader.take(PNGChunkHeader.size) else {
                throw Rejection(.truncated, detail: "PNG: file ends after \(index) chunks, before IEND")
            }
            let header = PNGChunkHeader(headerBytes)
            let name = header.typeName
            guard header.hasValidType, header.length <= PNGChunkHeader.maxLength else {
                throw Rejection(.corrupt, detail: "PNG: chunk \(index) at \(reader.offset - 8) has no valid type or length")
            }
            if index == 0, name != "IHDR" || header.length != ihdrLength {
                throw Rejection(.corrupt, detail: "PNG: first chunk is \(name) of length \(header.length), not IHDR of length 13")
            }
            if index > 0, name == "IHDR" {
                throw Rejection(.corrupt, detail: "PNG: second IHDR at chunk \(index)")
            }
            sawImageData = sawImageData || name == "IDAT"

            var crc = CRC32()
            crc.update(header.type)
            var dataLeft = Int(header.length)
            var firstData: [UInt8] = []
            while dataLeft > 0 {
                guard let slice = try reader.next(upTo: dataLeft) else {
                    throw Rejection(.truncated, detail: "PNG: chunk \(name) (\(index)) is cut \(dataLeft) bytes short")
                }
                if index == 0 { firstData.append(contentsOf: slice) }
                crc.update(slice)
                dataLeft -= slice.count
            }
            guard let stored = try reader.take(4) else {
                throw Rejection(.truncated, detail: "PNG: chunk \(name) (\(index)) has no CRC")
            }
            guard stored.uint32BE(at: 0) == crc.value else {
                throw Rejection(.corrupt, detail: "PNG: CRC mismatch in chunk \(name) (\(index))")
            }
            if index == 0 { try checkHeader(firstData) }
            if name == "IEND" {
                guard header.length == 0 else { throw Rejection(.corrupt, detail: "PNG: IEND carries \(header.length) bytes") }
                break
            }
            index += 1
        }
        guard sawImageData else { throw Rejection(.corrupt, detail: "PNG: no IDAT chunk") }
        guard reader.remaining == 0 else {
            throw Rejection(.corrupt, detail: "PNG: \(reader.remaining) bytes after IEND")
        }
        return .png
    }

    /// Width and height must be non-zero and fit in 31 bits.
    static func checkHeader(_ ihdr: [UInt8]) throws {
        let width = ihdr.uint32BE(at: 0)
        let height = ihdr.uint32BE(at: 4)
        guard (1...PNGChunkHeader.maxLength).contains(width), (1...PNGChunkHeader.maxLength).contains(height) else {
            throw Rejection(.corrupt, detail: "PNG: IHDR size \(width)x\(height)")
        }
    }
}
