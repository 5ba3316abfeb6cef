import Scanner
import Testing

@Suite("PNG")
struct PNGTests {
    @Test("a well-formed PNG is accepted, also when chunks straddle the read buffer")
    func accepted() async throws {
        #expect(try scan(PNGBuilder.valid().bytes).accepted == .png)
        let large = try scan(PNGBuilder.valid(width: 500, height: 200, chunkSize: 65_521).bytes)
        #expect(large.accepted == .png, "\(large.detail)")
        #expect(large.magicMime == "image/png")
    }

    @Test("a flipped bit anywhere in a chunk fails its CRC", arguments: [8 + 8 + 2, 33 + 8 + 50, 33 + 8 + 99])
    func crcMismatch(offset: Int) async throws {
        var bytes = PNGBuilder.valid().bytes
        bytes[offset] ^= 0x01
        let verdict = try scan(bytes)
        #expect(verdict.reason == .corrupt, "\(verdict.detail)")
    }

    @Test("a flipped CRC byte is corrupt")
    func crcFieldFlipped() async throws {
        var bytes = PNGBuilder.valid().bytes
        bytes[8 + 8 + 13] ^= 0x80
        #expect(try scan(bytes).reason == .corrupt)
    }

    /// 8 signature + 25 IHDR + 807 IDAT (a 795-byte zlib stream of 16 rows of 49 bytes) + 12 IEND.
    @Test("a PNG cut anywhere is truncated", arguments: [9, 16, 30, 33, 40, 400, 840, 845, 851])
    func cut(length: Int) async throws {
        let bytes = PNGBuilder.valid().bytes
        #expect(bytes.count == 852)
        let verdict = try scan(Array(bytes.prefix(length)))
        #expect(verdict.reason == .truncated, "\(verdict.detail)")
    }

    @Test("IHDR must come first, with length 13")
    func ihdrFirst() async throws {
        var png = PNGBuilder.valid()
        png.chunks.swapAt(0, 1)
        #expect(try scan(png.bytes).reason == .corrupt)
        var short = PNGBuilder.valid()
        short.chunks[0].data.removeLast()
        #expect(try scan(short.bytes).reason == .corrupt)
    }

    @Test(
        "IHDR fields outside the spec are corrupt",
        arguments: [
            ("zero width", PNGBuilder.ihdr(width: 0, height: 16)),
            ("zero height", PNGBuilder.ihdr(width: 16, height: 0)),
            ("width 2^31", PNGBuilder.ihdr(width: 0x8000_0000, height: 16)),
            ("bit depth 7", PNGBuilder.ihdr(width: 16, height: 16, bitDepth: 7, colourType: 0)),
            ("colour type 5", PNGBuilder.ihdr(width: 16, height: 16, bitDepth: 8, colourType: 5)),
            ("RGB at 4 bits", PNGBuilder.ihdr(width: 16, height: 16, bitDepth: 4, colourType: 2)),
            ("indexed at 16 bits", PNGBuilder.ihdr(width: 16, height: 16, bitDepth: 16, colourType: 3)),
            ("compression method 1", Array(PNGBuilder.ihdr(width: 16, height: 16).prefix(10)) + [1, 0, 0]),
            ("filter method 1", Array(PNGBuilder.ihdr(width: 16, height: 16).prefix(10)) + [0, 1, 0]),
            ("interlace method 2", PNGBuilder.ihdr(width: 16, height: 16, interlace: 2)),
        ] as [(String, [UInt8])])
    func headerOutsideSpec(label: String, header: [UInt8]) throws {
        var png = PNGBuilder.valid()
        png.chunks[0].data = header
        let verdict = try scan(png.bytes)
        #expect(verdict.reason == .corrupt, "\(label): \(verdict.detail)")
    }

    @Test("every allowed bit depth and colour type pair is accepted with its exact image data")
    func allowedPairs() async throws {
        let pairs: [(colourType: UInt8, depths: [UInt8], samples: Int)] = [
            (0, [1, 2, 4, 8, 16], 1), (2, [8, 16], 3), (3, [1, 2, 4, 8], 1), (4, [8, 16], 2), (6, [8, 16], 4),
        ]
        for pair in pairs {
            for depth in pair.depths {
                let width = 13
                let height = 5
                let rowBytes = (width * pair.samples * Int(depth) + 7) / 8
                let raw = (0..<height).flatMap { _ in [UInt8(0)] + [UInt8](repeating: 0x5A, count: rowBytes) }
                var png = PNGBuilder.image(
                    header: PNGBuilder.ihdr(width: 13, height: 5, bitDepth: depth, colourType: pair.colourType),
                    zlib: Deflate.zlib(Deflate.stored(raw), of: raw))
                if pair.colourType == 3 { png.chunks.insert((type: "PLTE", data: [0, 0, 0, 255, 255, 255]), at: 1) }
                let verdict = try scan(png.bytes)
                #expect(verdict.accepted == .png, "colour type \(pair.colourType) depth \(depth): \(verdict.detail)")
            }
        }
    }

    @Test("an indexed image without PLTE before its data is corrupt")
    func paletteRequired() async throws {
        let raw = (0..<4).flatMap { _ in [UInt8](repeating: 0, count: 5) }
        let png = PNGBuilder.image(header: PNGBuilder.ihdr(width: 4, height: 4, colourType: 3), zlib: Deflate.zlib(Deflate.stored(raw), of: raw))
        #expect(try scan(png.bytes).reason == .corrupt)
    }

    @Test("dimensions over the ScanLimits are image_too_large; the defaults fit an A3 scan at 600 dpi")
    func dimensionLimits() async throws {
        let limits = ScanLimits()
        #expect(limits.maxImageSide >= 9921 && limits.maxImagePixels >= 7016 * 9921)
        for (width, height) in [(100_000, 100_000), (0x7FFF_FFFF, 1), (1, 20_001), (15_000, 15_000)] as [(UInt32, UInt32)] {
            var png = PNGBuilder.valid()
            png.chunks[0].data = PNGBuilder.ihdr(width: width, height: height)
            let verdict = try scan(png.bytes)
            #expect(verdict.reason == .imageTooLarge, "\(width)x\(height): \(verdict.detail)")
        }
        // A smaller configured limit refuses what the defaults accept.
        let small = try scan(PNGBuilder.valid().bytes, limits: ScanLimits(maxImageSide: 15))
        #expect(small.reason == .imageTooLarge)
        #expect(try scan(PNGBuilder.valid().bytes, limits: ScanLimits(maxImagePixels: 255)).reason == .imageTooLarge)
    }

    @Test("image data that is not a zlib stream is corrupt")
    func notZlib() async throws {
        let raw = (0..<16).flatMap { _ in [UInt8](repeating: 0, count: 49) }
        let rawDeflate = PNGBuilder.image(header: PNGBuilder.ihdr(width: 16, height: 16), zlib: Deflate.stored(raw))
        #expect(try scan(rawDeflate.bytes).reason == .corrupt)
        let random = PNGBuilder.image(header: PNGBuilder.ihdr(width: 16, height: 16), zlib: pseudoRandomBytes(count: 800))
        #expect(try scan(random.bytes).reason == .corrupt)
        var badAdler = Deflate.zlib(Deflate.stored(raw), of: raw)
        badAdler[badAdler.count - 1] ^= 1
        #expect(try scan(PNGBuilder.image(header: PNGBuilder.ihdr(width: 16, height: 16), zlib: badAdler).bytes).reason == .corrupt)
    }

    @Test("image data must decode to exactly the length IHDR implies")
    func exactLength() async throws {
        let header = PNGBuilder.ihdr(width: 16, height: 16)
        for rows in [15, 17] {
            let raw = (0..<rows).flatMap { _ in [UInt8](repeating: 0, count: 49) }
            let verdict = try scan(PNGBuilder.image(header: header, zlib: Deflate.zlib(Deflate.stored(raw), of: raw)).bytes)
            #expect(verdict.reason == .corrupt, "\(rows) rows: \(verdict.detail)")
        }
        let badFilter = (0..<16).flatMap { row in [UInt8(row == 9 ? 5 : 0)] + [UInt8](repeating: 0, count: 48) }
        #expect(try scan(PNGBuilder.image(header: header, zlib: Deflate.zlib(Deflate.stored(badFilter), of: badFilter)).bytes).reason == .corrupt)
    }

    @Test("a zlib bomb in IDAT stops at the length IHDR implies")
    func bomb() async throws {
        // 64 MiB of zeros in about 420 KB, for a 16×16 image that needs 784 bytes.
        let zeros = Deflate.zeros(count: 64 << 20)
        let png = PNGBuilder.image(header: PNGBuilder.ihdr(width: 16, height: 16), zlib: [0x78, 0x01] + zeros + [0, 0, 0, 0], chunkSize: 1 << 20)
        let verdict = try scan(png.bytes)
        #expect(verdict.reason == .corrupt, "\(verdict.detail)")
        #expect(verdict.detail.contains("more than the 784 bytes"), "\(verdict.detail)")
    }

    @Test("an interlaced image needs the seven Adam7 passes' rows", arguments: [(1, 1), (5, 3), (8, 8), (13, 7), (33, 17)])
    func interlaced(width: Int, height: Int) async throws {
        // Each pass's rows, found by sorting every pixel into its pass rather than by formula.
        let passOrigin = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        var raw: [UInt8] = []
        for (x0, y0, dx, dy) in passOrigin {
            let columns = (0..<width).filter { $0 >= x0 && ($0 - x0) % dx == 0 }.count
            let lines = (0..<height).filter { $0 >= y0 && ($0 - y0) % dy == 0 }.count
            guard columns > 0 else { continue }
            for _ in 0..<lines { raw += [0] + [UInt8](repeating: 0x33, count: columns * 3) }
        }
        let header = PNGBuilder.ihdr(width: UInt32(width), height: UInt32(height), interlace: 1)
        let verdict = try scan(PNGBuilder.image(header: header, zlib: Deflate.zlib(Deflate.stored(raw), of: raw)).bytes)
        #expect(verdict.accepted == .png, "\(width)x\(height): \(verdict.detail)")
        let plain = PNGBuilder.ihdr(width: UInt32(width), height: UInt32(height))
        if raw.count != height * (1 + width * 3) {
            #expect(try scan(PNGBuilder.image(header: plain, zlib: Deflate.zlib(Deflate.stored(raw), of: raw)).bytes).reason == .corrupt)
        }
    }

    @Test("a PNG without IDAT, or with an absurd chunk length, is corrupt")
    func structure() async throws {
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
    func ancillary() async throws {
        var png = PNGBuilder.valid()
        png.chunks.insert((type: "tEXt", data: Array("Comment\0scan".utf8)), at: 1)
        png.chunks.insert((type: "pHYs", data: [0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1]), at: 1)
        #expect(try scan(png.bytes).accepted == .png)
    }
}
