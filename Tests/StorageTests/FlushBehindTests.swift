import Foundation
import Testing
import Writeback

#if canImport(Glibc)
import Glibc
#endif

/// The flushes behind a writer are only a head start: the writer's fsync still decides, and an
/// error a background flush met (which took it from the shared file description) reaches it.
@Suite struct FlushBehindTests {
    @Test func aFileFlushedBehindItsWriterIsWholeAndFinishesCleanly() throws {
        let path = NSTemporaryDirectory() + "docintake-flush-" + UUID().uuidString
        defer { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        try #require(fd >= 0)
        defer { close(fd) }
        let flush = try #require(FlushBehind(fd: fd, offset: 0))
        let chunk = [UInt8](repeating: 0x5A, count: 64 << 10)
        var written: Int64 = 0
        while written < 3 * FlushBehind.flushStride {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            try #require(n == chunk.count)
            written += Int64(n)
            flush.wrote(upTo: written)
        }
        try flush.finish()
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value == written)
    }

    @Test func anErrorABackgroundFlushMetIsThrownByFinish() throws {
        // fdatasync fails on a pipe (EINVAL), as it would on a device that lost the bytes.
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { ends.forEach { close($0) } }
        let flush = try #require(FlushBehind(fd: ends[1], offset: 0))
        flush.wrote(upTo: FlushBehind.flushStride)
        let failure = #expect(throws: FlushFailure.self) { try flush.finish() }
        #expect(failure?.errno == EINVAL)
    }

    @Test func nothingIsFlushedBeforeAStrideIsWritten() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { ends.forEach { close($0) } }
        let flush = try #require(FlushBehind(fd: ends[1], offset: 0))
        flush.wrote(upTo: FlushBehind.flushStride - 1)
        try flush.finish()
    }
}
