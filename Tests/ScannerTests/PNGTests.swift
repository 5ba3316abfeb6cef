import Scanner
import Testing

@Suite("PNG")
struct PNGTests {
    @Test("a well-formed PNG is accepted, also when chunks straddle the read buffer")
    func accepted() throws {
        #expect(try scan(PNGBuilder.valid().bytes).accepted == .png)
        let large = try scan(PNGBuilder.valid(imageDataSize: 300_000, chunkSize: 65_521).bytes)
        #expect(large.accepted == .png, "\(large.detail)")
        #expect(large.magicMime == "image/png")
    }

    @Test("a flipped bit anywhere in a chunk fails its CRC", arguments: [8 + 8 + 2, 33 + 8 + 50, 33 + 8 + 99])
    func crcMismatch(offset: Int) throws {
        var bytes = PNGBuilder.valid().bytes
        bytes[offset] ^= 0x01
        let verdict = try scan(bytes)
        #expect(verdict.reason == .corrupt, "\(verdict.detail)")
    }

    @Test("a flipped CRC byte is corrupt")
    func crcFieldFlipped() throws {
        var bytes = PNGBuilder.valid().bytes
        bytes[8 + 8 + 13] ^= 0x80
        #expect(try scan(bytes).reason == .corrupt)
    }

    @Test("a PNG cut anywhere is truncated", arguments: [9, 16, 30, 33, 40, 100, 145, 150, 156])
    func cut(length: Int) throws {
        let bytes = PNGBuilder.valid().bytes
        #expect(bytes.count == 157)
        let verdict = try scan(Array(bytes.prefix(length)))
        #expect(verdict.reason == .truncated, "\(verdict.detail)")
    }

    @Test("IHDR must come first, with length 13")
    func ihdrFirst() throws {
        var png = PNGBuilder.valid()
        png.chunks.swapAt(0, 1)
        #expect(try scan(png.bytes).reason == .corrupt)
        var short = PNGBuilder.valid()
        short.chunks[0].data.removeLast()
        #expect(try scan(short.bytes).reason == .corrupt)
        var zeroWidth = PNGBuilder.valid()
        zeroWidth.chunks[0].data.replaceSubrange(0..<4, with: [0, 0, 0, 0])
        #expect(try scan(zeroWidth.bytes).reason == .corrupt)
    }

    @Test("bytes after IEND are refused")
    func trailingData() throws {
        let polyglot = PNGBuilder.valid().bytes + Array("PK\u{3}\u{4}hidden".utf8)
        let verdict = try scan(polyglot)
        #expect(verdict.reason == .corrupt)
    }

    @Test("a PNG without IDAT, or with an absurd chunk length, is corrupt")
    func structure() throws {
        var noData = PNGBuilder.valid()
        noData.chunks.remove(at: 1)
        #expect(try scan(noData.bytes).reason == .corrupt)

        var bytes = PNGBuilder.valid().bytes
        bytes.replaceSubrange(33..<37, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try scan(bytes).reason == .corrupt)

        var badType = PNGBuilder.valid()
        badType.chunks[1].type = "ID1T"
        #expect(try scan(badType.bytes).reason == .corrupt)
    }

    @Test("ancillary chunks are fine")
    func ancillary() throws {
        var png = PNGBuilder.valid()
        png.chunks.insert((type: "tEXt", data: Array("Comment\0scan".utf8)), at: 1)
        png.chunks.insert((type: "pHYs", data: [0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1]), at: 1)
        #expect(try scan(png.bytes).accepted == .png)
    }
}
