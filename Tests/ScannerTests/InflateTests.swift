import Foundation
@testable import Scanner
import Testing

@Suite("Inflate")
struct InflateTests {
    /// Raw deflate streams made by zlib 1.2.13 (level 9, dynamic Huffman), with their source.
    static let contentTypesXML = Array("""
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>
        """.utf8)
    static let contentTypesDeflated = [UInt8](Data(base64Encoded: "rVJLTwIxEL77K5peybbgwRjDwsHHUTngDxi7s2xDX+kUhH/v7IIcDGJMOE3a75lOp/Odd2KLmWwMtZyosRQYTGxsWNXyfflS3UtBBUIDLgas5R5Jzmc30+U+IQkWB6plV0p60JpMhx5IxYSBkTZmD4WPeaUTmDWsUN+Ox3faxFAwlKr0HnI2fcIWNq6I5x1fH4pkdCTF44HYZ9USUnLWQGFcb0PzI6U6JihWDhzqbKIRE6Q+m9AjvwccdW/8Mtk2KBaQyyt4Zumd058xrz9iXKvLJmdaxra1BptoNp4lilJGaKhDLN6pYSoPNoz+zh/IpIcxuXKRk/+lHqxd5JiI15nx/wW+99Wrq8RGmIvF08b08MFmXw==")!)

    @Test("decodes dynamic, fixed and stored blocks")
    func vectors() throws {
        #expect(Self.contentTypesXML.count == 672)
        #expect(try Inflater.inflate(Self.contentTypesDeflated, maxOutput: 1 << 20) == Self.contentTypesXML)
        let fixed = [UInt8](Data(base64Encoded: "y0jNyclXyECQOgppmRWpKQoZpWlpuYl5AA==")!)
        #expect(try Inflater.inflate(fixed, maxOutput: 100) == Array("hello hello hello, fixed huffman".utf8))
        let stored = [UInt8](Data(base64Encoded: "AQwA8/9zdG9yZWQgYmxvY2s=")!)
        #expect(try Inflater.inflate(stored, maxOutput: 100) == Array("stored block".utf8))
    }

    @Test("a bomb stops at the output limit")
    func bomb() throws {
        // 1 MiB of zeros in 1,033 bytes.
        let bomb = [UInt8](hex: "edc13101000000c2a0f54f6d085fa0") + [UInt8](repeating: 0, count: 1016) + [0x3E, 0x03]
        #expect(try Inflater.inflate(bomb, maxOutput: 1 << 20) == [UInt8](repeating: 0, count: 1 << 20))
        #expect(throws: InflateError.outputLimitExceeded) { try Inflater.inflate(bomb, maxOutput: 4096) }
    }

    @Test("cut or invalid streams fail cleanly")
    func invalid() {
        #expect(throws: InflateError.inputEnded) { try Inflater.inflate(Array(Self.contentTypesDeflated.prefix(100)), maxOutput: 1 << 20) }
        #expect(throws: InflateError.self) { try Inflater.inflate([0x07], maxOutput: 100) }
        #expect(throws: InflateError.self) { try Inflater.inflate([0x01, 0x05, 0x00, 0x00, 0x00], maxOutput: 100) }
        // Random bytes: each either inflates within the limit or fails (with an InflateError: the
        // function's typed throws).
        var failed = 0
        for seed in 1...200 as ClosedRange<UInt64> {
            do {
                let output = try Inflater.inflate(pseudoRandomBytes(count: 64, seed: seed), maxOutput: 1 << 16)
                #expect(output.count <= 1 << 16, "seed \(seed)")
            } catch {
                failed += 1
            }
        }
        #expect(failed > 0, "no random stream reached an error path")
    }
}
