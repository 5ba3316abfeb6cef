#if canImport(Glibc)
import Glibc
#endif

/// Reads a blob file in 256 KiB chunks, hashing them on another thread as it goes and holding one
/// chunk back until it knows the whole file matched, so corrupt bytes never complete a read.
/// Unchecked `Sendable`: one consumer reads it at a time, each read on a `Blocking` thread.
final class FileBlobReader: BlobReader, @unchecked Sendable {
    static let chunkSize = 256 * 1024

    let size: Int64
    private let path: String
    private let digest: BlobDigest
    private var fd: Int32 = -1
    /// Four chunks waiting at most (the default budget): 1 MiB of memory per download.
    private let hasher = BackgroundHasher()
    private var pending: [UInt8]?
    private var finished = false

    init(path: String, digest: BlobDigest) throws {
        let fd: Int32
        do {
            fd = try POSIX.open(path, O_RDONLY)
        } catch BlobStoreError.io(_, _, ENOENT) {
            throw BlobStoreError.notFound(digest)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let error = POSIX.error("fstat", path)
            Glibc.close(fd)
            throw error
        }
        self.fd = fd
        self.size = Int64(st.st_size)
        self.path = path
        self.digest = digest
    }

    deinit { close() }

    func next() async throws -> [UInt8]? {
        try await Blocking.run { try self.nextNow() }
    }

    private func nextNow() throws -> [UInt8]? {
        if finished { return nil }
        if pending == nil { pending = try readChunk() }
        guard let current = pending else {
            return try finish(nil)
        }
        let following = try readChunk()
        pending = following
        if following == nil { return try finish(current) }
        return current
    }

    func skip(_ count: Int64) async throws {
        try await Blocking.run { try self.skipNow(count) }
    }

    private func skipNow(_ count: Int64) throws {
        precondition(pending == nil && !finished, "skip before the first read")
        var remaining = count
        var scratch = [UInt8](repeating: 0, count: Self.chunkSize)
        while remaining > 0 {
            let n = try scratch.withUnsafeMutableBytes { raw in
                try POSIX.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[..<Int(min(remaining, Int64(raw.count)))]), path: path)
            }
            if n == 0 { return }
            hasher.update(Array(scratch[..<n]))
            remaining -= Int64(n)
        }
    }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    private func finish(_ last: [UInt8]?) throws -> [UInt8]? {
        finished = true
        close()
        guard BlobDigest(hasher.finalize()) == digest else { throw BlobStoreError.corrupt(digest) }
        return last
    }

    private func readChunk() throws -> [UInt8]? {
        guard fd >= 0 else { return nil }
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        var filled = 0
        while filled < chunk.count {
            let n = try chunk.withUnsafeMutableBytes { raw in
                try POSIX.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]), path: path)
            }
            if n == 0 { break }
            filled += n
        }
        if filled == 0 { return nil }
        chunk.removeSubrange(filled...)
        hasher.update(chunk)
        return chunk
    }
}
