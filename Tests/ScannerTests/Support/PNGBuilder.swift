/// Builds PNG files chunk by chunk, with correct CRCs unless a test breaks them.
struct PNGBuilder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    var chunks: [(type: String, data: [UInt8])]

    /// IHDR (16×16 RGB), IDAT chunks holding `imageDataSize` bytes in `chunkSize` pieces, and IEND.
    /// The IDAT bytes are not real zlib data: the scanner checks the chunk structure, not the pixels.
    static func valid(imageDataSize: Int = 100, chunkSize: Int = 8192) -> PNGBuilder {
        var ihdr: [UInt8] = []
        ihdr.appendBE32(16)
        ihdr.appendBE32(16)
        ihdr += [8, 2, 0, 0, 0]
        let data = pseudoRandomBytes(count: imageDataSize)
        let idats = stride(from: 0, to: data.count, by: chunkSize).map { start in
            (type: "IDAT", data: Array(data[start..<min(start + chunkSize, data.count)]))
        }
        return PNGBuilder(chunks: [(type: "IHDR", data: ihdr)] + idats + [(type: "IEND", data: [])])
    }

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
