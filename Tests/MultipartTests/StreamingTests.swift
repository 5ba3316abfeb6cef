import Multipart
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Streaming")
struct StreamingTests {
    /// Content that keeps almost completing the delimiter, to catch a parser that drops,
    /// duplicates or withholds bytes around chunk edges.
    private static func hostileContent(_ generator: inout SeededGenerator, count: Int) -> [UInt8] {
        let near = Array("\r\n--\(TestBody.boundary)".utf8)
        var content: [UInt8] = []
        while content.count < count {
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: content += near.prefix(Int.random(in: 1..<near.count, using: &generator))
            case 1: content += near.dropLast() + [UInt8(ascii: "x")]
            case 2: content += [.init(ascii: "\r"), .init(ascii: "\n")]
            default:
                content += (0..<Int.random(in: 1...20, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            }
        }
        return content
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func chunkingDoesNotChangeTheParts(seed: UInt64) async throws {
        var generator = SeededGenerator(seed: seed)
        var body = TestBody(preamble: "preamble")
        for index in 0..<Int.random(in: 1...6, using: &generator) {
            let content = Self.hostileContent(&generator, count: Int.random(in: 0...3000, using: &generator))
            if Bool.random(using: &generator) {
                body.file("file\(index)", filename: "名前\(index).bin", content)
            } else {
                body.part(["Content-Disposition: form-data; name=\"text\(index)\""], content)
            }
        }
        body.close(epilogue: "\r\nepilogue")

        let whole = try parse(body.bytes)
        #expect(!whole.isEmpty)
        #expect(try parse(body.bytes, chunking: .fixed(1)) == whole)
        for round in 0..<5 {
            let chunking = Chunking.random(seed: seed * 100 + UInt64(round), maxSize: [2, 17, 100, 5000][round % 4])
            #expect(try parse(body.bytes, chunking: chunking) == whole, "\(chunking)")
        }
    }

    @Test func everyByteValueSurvives() async throws {
        let allBytes = (0...255).map(UInt8.init)
        let content = allBytes + allBytes.reversed() + allBytes.flatMap { [$0, 13, 10, 45, 45] }
        var body = TestBody()
        body.file("binary", filename: "all-bytes.bin", content)
        body.close()
        for chunking in [Chunking.whole, .fixed(1), .random(seed: 9, maxSize: 64)] {
            #expect(try parse(body.bytes, chunking: chunking).map(\.content) == [content], "\(chunking)")
        }
    }

    @Test func largeBodyKeepsTheBufferBounded() async throws {
        let chunkSize = 64 * 1024
        let limits = MultipartLimits()
        let delimiterCount = 4 + TestBody.boundary.utf8.count
        let bound = chunkSize + 2 * (limits.maxHeaderBytesPerPart + delimiterCount)

        var generator = SeededGenerator(seed: 20)
        let block = (0..<(256 * 1024)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let fileCount = 20 * 1024 * 1024 / block.count
        var body = TestBody()
        body.field("title", "large")
        body.part(["Content-Disposition: form-data; name=\"upload\"; filename=\"big.bin\""], [])
        for _ in 0..<fileCount { body.bytes += block }
        body.close()

        var parser = try MultipartParser(boundary: TestBody.boundary, limits: limits)
        var largest = 0
        var received = 0
        var mismatches = 0
        var names: [String] = []
        for start in stride(from: 0, to: body.bytes.count, by: chunkSize) {
            parser.append(body.bytes[start..<min(start + chunkSize, body.bytes.count)])
            largest = max(largest, parser.bufferedByteCount)
            while let event = try parser.next() {
                switch event {
                case .partBegin(let headers):
                    names.append(headers.name)
                case .body(let bytes) where names.last == "upload":
                    if !Self.repeats(block, from: received, as: bytes) { mismatches += 1 }
                    received += bytes.count
                case .body, .partEnd:
                    break
                }
            }
        }
        try parser.finish()
        #expect(names == ["title", "upload"])
        #expect(received == fileCount * block.count)
        #expect(mismatches == 0)
        #expect(largest <= bound, "held \(largest) bytes, bound \(bound)")
    }

    /// Whether `bytes` equal the endless repetition of `block` read from `offset` on; compared
    /// with `memcmp`, since a byte loop over 20 MiB is slow in debug builds.
    private static func repeats(_ block: [UInt8], from offset: Int, as bytes: [UInt8]) -> Bool {
        block.withUnsafeBytes { pattern in
            bytes.withUnsafeBytes { actual in
                var checked = 0
                while checked < actual.count {
                    let patternOffset = (offset + checked) % pattern.count
                    let length = min(actual.count - checked, pattern.count - patternOffset)
                    guard memcmp(actual.baseAddress! + checked, pattern.baseAddress! + patternOffset, length) == 0
                    else {
                        return false
                    }
                    checked += length
                }
                return true
            }
        }
    }

    @Test func oneByteChunksOfNearDelimitersHoldOnlyThePartialDelimiter() async throws {
        var generator = SeededGenerator(seed: 7)
        var body = TestBody()
        body.part(["Content-Disposition: form-data; name=f"], Self.hostileContent(&generator, count: 20_000))
        body.close()
        var largest = 0
        _ = try parse(body.bytes, chunking: .fixed(1)) { largest = max(largest, $0.bufferedByteCount) }
        // Past the headers, only a partial delimiter (and compaction slack) is ever held.
        #expect(largest <= 2 * (4 + TestBody.boundary.utf8.count) + 120)
    }
}
