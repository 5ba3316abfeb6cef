import Multipart
import Testing

@Suite("Boundaries and framing")
struct FramingTests {
    @Test(arguments: [
        (
            "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
            "----WebKitFormBoundary7MA4YWxkTrZu0gW"
        ),
        ("Multipart/Form-Data;boundary=\"quoted:(with) spaces?\"", "quoted:(with) spaces?"),
        ("multipart/form-data; charset=utf-8; BOUNDARY = abc ", "abc"),
        ("multipart/form-data; boundary=\"\(String(repeating: "b", count: 70))\"", String(repeating: "b", count: 70)),
    ])
    func boundaryFromContentType(contentType: String, boundary: String) {
        #expect(MultipartParser.boundary(fromContentType: contentType) == boundary)
    }

    @Test(arguments: [
        "text/plain; boundary=abc",
        "multipart/mixed; boundary=abc",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=\"\"",
        "multipart/form-data; boundary=\(String(repeating: "b", count: 71))",
        "multipart/form-data; boundary=\"ends in space \"",
        "multipart/form-data; boundary=\"no\\\"quotes\"",
        "multipart/form-data; boundary=\"開\"",
        "multipart/form-data; boundary=a; boundary=b",
        "multipart/form-data; boundary=\"unterminated",
    ])
    func noBoundaryFromContentType(contentType: String) {
        #expect(MultipartParser.boundary(fromContentType: contentType) == nil)
    }

    @Test(arguments: ["", String(repeating: "x", count: 71), "trailing ", "semi;colon", "line\r\nbreak"])
    func invalidBoundaryIsRejected(boundary: String) {
        #expect(throws: MultipartError.self) { try MultipartParser(boundary: boundary) }
        #expect((try? MultipartParser(boundary: boundary)) == nil)
    }

    @Test func preambleAndEpilogueAreIgnored() async throws {
        var body = TestBody(preamble: "This is a multi-part message.\r\n--not the boundary\r\n")
        body.field("a", "1")
        body.close(
            epilogue:
                "\r\nThis is the epilogue.\r\n--\(TestBody.boundary)\r\nContent-Disposition: form-data; name=b\r\n\r\n2"
        )
        let parts = try parse(body.bytes)
        #expect(parts.map(\.headers.name) == ["a"])
        #expect(parts.first?.content == Array("1".utf8))
    }

    @Test func firstBoundaryMayFollowACRLFOrOpenTheBody() async throws {
        var bare = TestBody()
        bare.field("a", "1")
        bare.close()
        #expect(bare.bytes.starts(with: Array("--\(TestBody.boundary)\r\n".utf8)))
        #expect(try parse([.init(ascii: "\r"), .init(ascii: "\n")] + bare.bytes) == parse(bare.bytes))
    }

    @Test func boundaryNotAtALineStartIsContent() async throws {
        let boundary = TestBody.boundary
        let body = Array(
            "x--\(boundary)\r\n--\(boundary)\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--\(boundary)--".utf8
        )
        let parts = try parse(body)
        #expect(parts.map(\.headers.name) == ["a"])
    }

    @Test func transportPaddingIsAllowed() async throws {
        let boundary = TestBody.boundary
        let body = Array(
            ("--\(boundary) \t \r\nContent-Disposition: form-data; name=a\r\n\r\n1"
                + "\r\n--\(boundary)\t\r\nContent-Disposition: form-data; name=b\r\n\r\n2"
                + "\r\n--\(boundary)--  \r\n").utf8
        )
        let parts = try parse(body)
        #expect(parts.map(\.headers.name) == ["a", "b"])
        #expect(parts.map(\.content) == [Array("1".utf8), Array("2".utf8)])
    }

    @Test(arguments: ["x", "-x", " x", "\t-"])
    func junkAfterABoundaryIsMalformed(junk: String) {
        let boundary = TestBody.boundary
        let body = Array(
            "--\(boundary)\(junk)\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--\(boundary)--".utf8)
        #expect(parseError(body)?.code == .malformedDelimiter)
    }

    @Test(arguments: [
        "\r\n--\(String(TestBody.boundary.dropLast()))x",
        "\r\n--\(String(TestBody.boundary.dropLast()))",
        "\r\n--",
        "\r\n-",
        "\r\n",
        "\r",
        "\n--\(TestBody.boundary)x",
        "--\(TestBody.boundary)",
        "\r\r\n\r\n--\r\n--\(TestBody.boundary.prefix(10))\r\n--\(TestBody.boundary.prefix(30))",
    ])
    func boundaryLikeContentIsKept(content: String) async throws {
        let payload = Array(("start" + content + "middle" + content).utf8)
        var body = TestBody()
        body.file("f", filename: "tricky.bin", payload)
        body.field("after", "ok")
        body.close()
        for chunking in [Chunking.whole, .fixed(1), .fixed(7), .random(seed: 3, maxSize: 40)] {
            let parts = try parse(body.bytes, chunking: chunking)
            #expect(parts.map(\.content) == [payload, Array("ok".utf8)], "\(chunking)")
        }
    }

    @Test func emptyFormAndEmptyPart() async throws {
        #expect(try parse(Array("--\(TestBody.boundary)--".utf8)).isEmpty)
        var body = TestBody()
        body.field("empty", "")
        body.close(epilogue: "")
        let expected = PartHeaders(
            name: "empty",
            fields: [.init(name: "Content-Disposition", value: "form-data; name=\"empty\"")]
        )
        #expect(try parse(body.bytes, chunking: .fixed(1)) == [ParsedPart(headers: expected, content: [])])
    }

    @Test func inputEndingBeforeTheClosingBoundaryIsUnexpected() async throws {
        var body = TestBody(preamble: "preamble\r\n")
        body.field("a", "0123456789")
        body.close(epilogue: "")
        for cut in 0..<body.bytes.count {
            let truncated = Array(body.bytes.prefix(cut))
            #expect(parseError(truncated)?.code == .unexpectedEnd, "cut at \(cut)")
            #expect(parseError(truncated, chunking: .fixed(1))?.code == .unexpectedEnd, "cut at \(cut)")
        }
        #expect(try parse(body.bytes).count == 1)
    }

    @Test func completionIsReportedWhenTheClosingBoundaryArrives() async throws {
        var body = TestBody()
        body.field("a", "1")
        body.close(epilogue: "")
        var parser = try MultipartParser(boundary: TestBody.boundary)
        parser.append(body.bytes.dropLast())
        while try parser.next() != nil {}
        #expect(!parser.isComplete)
        #expect(throws: MultipartError.self) { try parser.finish() }
        parser.append(body.bytes.suffix(1))
        while try parser.next() != nil {}
        #expect(parser.isComplete)
        try parser.finish()
    }

    @Test func errorsAreSticky() async throws {
        var parser = try MultipartParser(boundary: "b", limits: MultipartLimits(maxPreambleBytes: 4))
        parser.append(Array("12345".utf8))
        let first = #expect(throws: MultipartError.self) { try parser.next() }
        #expect(first?.code == .preambleTooLarge)
        parser.append(Array("\r\n--b\r\nContent-Disposition: form-data; name=a\r\n\r\n".utf8))
        #expect(parser.bufferedByteCount == 0)
        let second = #expect(throws: MultipartError.self) { try parser.next() }
        #expect(second == first)
        #expect(throws: MultipartError.self) { try parser.finish() }
    }
}
