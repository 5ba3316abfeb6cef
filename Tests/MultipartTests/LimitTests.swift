import Multipart
import Testing

@Suite("Limits")
struct LimitTests {
    private static func body(parts: Int) -> [UInt8] {
        var body = TestBody()
        for index in 0..<parts { body.field("f\(index)", "v") }
        body.close()
        return body.bytes
    }

    @Test func tooManyParts() async throws {
        let limits = MultipartLimits(maxParts: 3)
        #expect(try parse(Self.body(parts: 3), limits: limits).count == 3)
        #expect(parseError(Self.body(parts: 4), limits: limits)?.code == .tooManyParts)
        #expect(parseError(Self.body(parts: 33))?.code == .tooManyParts)
        #expect(try parse(Self.body(parts: 32)).count == 32)
    }

    @Test func headersTooLarge() async throws {
        let disposition = "Content-Disposition: form-data; name=a"
        // The section: CRLF ending the boundary line, the header line, its CRLF, the blank line.
        let sectionSize = 2 + disposition.utf8.count + 2 + 2
        let fits = MultipartLimits(maxHeaderBytesPerPart: sectionSize)
        let tight = MultipartLimits(maxHeaderBytesPerPart: sectionSize - 1)
        #expect(try parse(TestBody.single([disposition]), limits: fits).count == 1)
        #expect(parseError(TestBody.single([disposition]), limits: tight)?.code == .headersTooLarge)
        #expect(
            parseError(TestBody.single([disposition]), limits: tight, chunking: .fixed(1))?.code == .headersTooLarge)

        let huge = [disposition, "X-Padding: " + String(repeating: "p", count: 16 * 1024)]
        #expect(parseError(TestBody.single(huge))?.code == .headersTooLarge)
    }

    @Test func endlessHeadersOrPaddingFailWithoutBuffering() async throws {
        for opening in ["--b\r\nX-Endless: ", "--b"] {
            var parser = try MultipartParser(boundary: "b", limits: MultipartLimits(maxHeaderBytesPerPart: 1024))
            parser.append(Array(opening.utf8))
            let error = #expect(throws: MultipartError.self) {
                for _ in 0..<2048 {
                    parser.append([.init(ascii: " ")])
                    while try parser.next() != nil {}
                    #expect(parser.bufferedByteCount <= 2 * 1024 + 8)
                }
            }
            #expect(error?.code == .headersTooLarge)
        }
    }

    @Test func filenameTooLong() async throws {
        func body(_ filename: String) -> [UInt8] {
            TestBody.single(["Content-Disposition: form-data; name=f; filename=\"\(filename)\""])
        }
        #expect(try parse(body(String(repeating: "a", count: 255))).first?.headers.filename?.utf8.count == 255)
        #expect(parseError(body(String(repeating: "a", count: 256)))?.code == .filenameTooLong)
        // The limit counts UTF-8 bytes: 85 × 3 = 255 fits, 86 × 3 does not.
        #expect(try parse(body(String(repeating: "開", count: 85))).count == 1)
        #expect(parseError(body(String(repeating: "開", count: 86)))?.code == .filenameTooLong)
        // filename* counts decoded bytes, not the percent-encoded ones.
        let encoded = String(repeating: "%E9%96%8B", count: 85)
        let extended = TestBody.single(["Content-Disposition: form-data; name=f; filename*=UTF-8''\(encoded)"])
        #expect(try parse(extended).first?.headers.filename == String(repeating: "開", count: 85))
        #expect(parseError(body("abc"), limits: MultipartLimits(maxFilenameBytes: 2))?.code == .filenameTooLong)
    }

    @Test func preambleTooLarge() async throws {
        let limits = MultipartLimits(maxPreambleBytes: 10)
        func body(preamble: String) -> [UInt8] {
            var body = TestBody(preamble: preamble)
            body.field("a", "1")
            body.close()
            return body.bytes
        }
        // TestBody puts the delimiter's CRLF after the preamble; it is not counted as preamble.
        #expect(try parse(body(preamble: "0123456789"), limits: limits).count == 1)
        #expect(try parse(body(preamble: "0123456789"), limits: limits, chunking: .fixed(1)).count == 1)
        #expect(parseError(body(preamble: "0123456789X"), limits: limits)?.code == .preambleTooLarge)
        #expect(
            parseError(body(preamble: "0123456789X"), limits: limits, chunking: .fixed(1))?.code == .preambleTooLarge)
        #expect(try parse(body(preamble: String(repeating: "p", count: 16 * 1024))).count == 1)
        #expect(parseError(body(preamble: String(repeating: "p", count: 16 * 1024 + 1)))?.code == .preambleTooLarge)
    }

    @Test func endlessPreambleFailsWithoutBuffering() async throws {
        var parser = try MultipartParser(boundary: "b")
        let chunk = [UInt8](repeating: UInt8(ascii: "\r"), count: 1000)
        let error = #expect(throws: MultipartError.self) {
            for _ in 0..<100 {
                parser.append(chunk)
                while try parser.next() != nil {}
                #expect(parser.bufferedByteCount <= chunk.count + 8)
            }
        }
        #expect(error?.code == .preambleTooLarge)
    }

    @Test func epilogueTooLarge() async throws {
        let limits = MultipartLimits(maxEpilogueBytes: 10)
        func body(epilogue: String) -> [UInt8] {
            var body = TestBody()
            body.field("a", "1")
            body.close(epilogue: epilogue)
            return body.bytes
        }
        #expect(try parse(body(epilogue: "\r\n01234567"), limits: limits).count == 1)
        #expect(parseError(body(epilogue: "\r\n012345678"), limits: limits)?.code == .epilogueTooLarge)
        #expect(
            parseError(body(epilogue: "\r\n012345678"), limits: limits, chunking: .fixed(1))?.code == .epilogueTooLarge)
        #expect(parseError(body(epilogue: String(repeating: "e", count: 16 * 1024 + 1)))?.code == .epilogueTooLarge)
    }
}
