/// Builds PNG files chunk by chunk, with correct CRCs unless a test breaks them.
struct PNGBuilder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    var chunks: [(type: String, data: [UInt8])]

    /// A `width`×`height` 8-bit RGB image of pseudo-random pixels (filter type 0 on every row), its
    /// zlib stream in stored blocks split into IDAT chunks of `chunkSize` bytes, then IEND.
    static func valid(width: Int = 16, height: Int = 16, chunkSize: Int = 8192) -> PNGBuilder {
        let rows: [UInt8] = (0..<height).flatMap { row -> [UInt8] in [0] + pseudoRandomBytes(count: width * 3, seed: UInt64(row + 1)) }
        return image(header: ihdr(width: width, height: height), zlib: Deflate.zlib(Deflate.stored(rows), of: rows), chunkSize: chunkSize)
    }

    /// IHDR, the zlib stream `zlib` in IDAT chunks of `chunkSize` bytes, IEND.
    static func image(header: [UInt8], zlib: [UInt8], chunkSize: Int = 8192) -> PNGBuilder {
        let idats = stride(from: 0, to: zlib.count, by: chunkSize).map { start in
            (type: "IDAT", data: Array(zlib[start..<min(start + chunkSize, zlib.count)]))
        }
        return PNGBuilder(chunks: [(type: "IHDR", data: header)] + idats + [(type: "IEND", data: [])])
    }

    static func ihdr(width: UInt32, height: UInt32, bitDepth: UInt8 = 8, colourType: UInt8 = 2, interlace: UInt8 = 0) -> [UInt8] {
        var ihdr: [UInt8] = []
        ihdr.appendBE32(width)
        ihdr.appendBE32(height)
        return ihdr + [bitDepth, colourType, 0, 0, interlace]
    }

    static func ihdr(width: Int, height: Int) -> [UInt8] { ihdr(width: UInt32(width), height: UInt32(height)) }

    var bytes: [UInt8] {
        var bytes = Self.signature
        for chunk in chunks {
            bytes.appendBE32(UInt32(chunk.data.count))
            let body = Array(chunk.type.utf8) + chunk.data
            bytes += body
            bytes.appendBE32(referenceCRC32(body))
        }
        return bytes
    }
}
