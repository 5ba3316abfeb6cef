import Foundation
import Testing

@testable import Scanner

@Suite("Inflate")
struct InflateTests {
    /// Raw deflate streams made by zlib 1.2.13 (level 9, dynamic Huffman), with their source.
    static let contentTypesXML = Array(
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>
        """.utf8)
    static let contentTypesDeflated = [UInt8](
        Data(
            base64Encoded:
                "rVJLTwIxEL77K5peybbgwRjDwsHHUTngDxi7s2xDX+kUhH/v7IIcDGJMOE3a75lOp/Odd2KLmWwMtZyosRQYTGxsWNXyfflS3UtBBUIDLgas5R5Jzmc30+U+IQkWB6plV0p60JpMhx5IxYSBkTZmD4WPeaUTmDWsUN+Ox3faxFAwlKr0HnI2fcIWNq6I5x1fH4pkdCTF44HYZ9USUnLWQGFcb0PzI6U6JihWDhzqbKIRE6Q+m9AjvwccdW/8Mtk2KBaQyyt4Zumd058xrz9iXKvLJmdaxra1BptoNp4lilJGaKhDLN6pYSoPNoz+zh/IpIcxuXKRk/+lHqxd5JiI15nx/wW+99Wrq8RGmIvF08b08MFmXw=="
        )!)

    /// Inflates `input` fed in pieces of `piece` bytes, then finishes the stream.
    static func inflate(_ input: [UInt8], _ format: InflateStream.Format = .raw, limit: Int, piece: Int = 1 << 16) throws -> [UInt8] {
        let stream = try InflateStream(format, outputLimit: limit)
        var output: [UInt8] = []
        for start in stride(from: 0, to: input.count, by: piece) {
            try stream.feed(input[start..<min(start + piece, input.count)]) { output += $0 }
        }
        try stream.finish { output += $0 }
        return output
    }

    @Test("decodes dynamic, fixed and stored blocks, fed whole or a byte at a time", arguments: [1, 7, 1 << 16])
    func vectors(piece: Int) async throws {
        #expect(Self.contentTypesXML.count == 672)
        #expect(try Self.inflate(Self.contentTypesDeflated, limit: 1 << 20, piece: piece) == Self.contentTypesXML)
        let fixed = [UInt8](Data(base64Encoded: "y0jNyclXyECQOgppmRWpKQoZpWlpuYl5AA==")!)
        #expect(try Self.inflate(fixed, limit: 100, piece: piece) == Array("hello hello hello, fixed huffman".utf8))
        let stored = [UInt8](Data(base64Encoded: "AQwA8/9zdG9yZWQgYmxvY2s=")!)
        #expect(try Self.inflate(stored, limit: 100, piece: piece) == Array("stored block".utf8))
        let text = Array(String(repeating: "診療所 ", count: 5000).utf8)
        #expect(try Self.inflate(Deflate.zlib(Deflate.stored(text), of: text), .zlib, limit: text.count, piece: piece) == text)
    }

    @Test("a bomb stops one byte past the output limit, however large it would grow")
    func bomb() async throws {
        // 1 MiB of zeros in 1,033 bytes.
        let bomb = [UInt8](hex: "edc13101000000c2a0f54f6d085fa0") + [UInt8](repeating: 0, count: 1016) + [0x3E, 0x03]
        #expect(try Self.inflate(bomb, limit: 1 << 20) == [UInt8](repeating: 0, count: 1 << 20))
        #expect(throws: InflateError.outputLimitExceeded) { try Self.inflate(bomb, limit: (1 << 20) - 1) }
        let stream = try InflateStream(.raw, outputLimit: 4096)
        var seen = 0
        #expect(throws: InflateError.outputLimitExceeded) { try stream.feed(Deflate.zeros(count: 64 << 20)) { seen += $0.count } }
        #expect(seen <= 4096 && stream.produced == 4097)
    }

    @Test("cut, invalid or overlong streams fail cleanly")
    func invalid() {
        #expect(throws: InflateError.inputEnded) { try Self.inflate(Array(Self.contentTypesDeflated.prefix(100)), limit: 1 << 20) }
        #expect(throws: InflateError.self) { try Self.inflate([0x07], limit: 100) }
        #expect(throws: InflateError.self) { try Self.inflate([0x01, 0x05, 0x00, 0x00, 0x00], limit: 100) }
        #expect(throws: InflateError.self) { try Self.inflate(Self.contentTypesDeflated + [0], limit: 1 << 20) }
        // Raw deflate where zlib framing is expected, and a zlib stream with a wrong Adler-32.
        #expect(throws: InflateError.self) { try Self.inflate(Self.contentTypesDeflated, .zlib, limit: 1 << 20) }
        var zlib = Deflate.zlib(Deflate.stored([1, 2, 3]), of: [1, 2, 3])
        zlib[zlib.count - 1] ^= 1
        #expect(throws: InflateError.self) { try Self.inflate(zlib, .zlib, limit: 100) }
        // Random bytes: each either inflates within the limit or fails.
        var failed = 0
        for seed in 1...200 as ClosedRange<UInt64> {
            do {
                let output = try Self.inflate(pseudoRandomBytes(count: 64, seed: seed), limit: 1 << 16)
                #expect(output.count <= 1 << 16, "seed \(seed)")
            } catch {
                failed += 1
            }
        }
        #expect(failed > 0, "no random stream reached an error path")
    }
}
