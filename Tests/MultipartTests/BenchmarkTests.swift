import Multipart
import Testing

/// A throughput probe, printed rather than asserted: speed goals belong in benchmarks, and a
/// timing assertion would flake on a loaded CI machine. Run it in release for real numbers:
/// `swift test -c release --filter BenchmarkTests`.
@Suite("Benchmark")
struct BenchmarkTests {
    @Test func throughputOfA64MiBUploadIn64KiBChunks() async throws {
        var generator = SeededGenerator(seed: 64)
        let block = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var body = TestBody()
        body.field("title", "benchmark")
        body.part(["Content-Disposition: form-data; name=\"a\"; filename=\"a.bin\""], [])
        for _ in 0..<32 { body.bytes += block }
        body.part(["Content-Disposition: form-data; name=\"b\"; filename=\"b.bin\""], [])
        for _ in 0..<32 { body.bytes += block }
        body.close()

        let chunkSize = 64 * 1024
        var contentBytes = 0
        let elapsed = try ContinuousClock().measure {
            var parser = try MultipartParser(boundary: TestBody.boundary)
            for start in stride(from: 0, to: body.bytes.count, by: chunkSize) {
                parser.append(body.bytes[start..<min(start + chunkSize, body.bytes.count)])
                while let event = try parser.next() {
                    if case .body(let bytes) = event { contentBytes += bytes.count }
                }
            }
            try parser.finish()
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let megabytesPerSecond = Int(Double(body.bytes.count) / seconds / 1e6)
        print("multipart: \(body.bytes.count >> 20) MiB in \(Int(seconds * 1000)) ms, \(megabytesPerSecond) MB/s")
        #expect(contentBytes == 64 * block.count + "benchmark".utf8.count)
    }
}
