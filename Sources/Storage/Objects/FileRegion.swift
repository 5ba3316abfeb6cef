import Crypto
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Bytes `offset..<offset+length` of a file, read in 256 KiB chunks off the cooperative pool: a part
/// or an object body streamed from the staging file without holding it in memory.
struct FileRegion: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    static let chunkSize = 256 * 1024

    let path: String
    let offset: Int64
    let length: Int64

    init(path: String, offset: Int64, length: Int64) {
        self.path = path
        self.offset = offset
        self.length = length
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let file: SharedDescriptor
        var position: Int64
        let end: Int64

        mutating func next() async throws -> ByteBuffer? {
            guard position < end else { return nil }
            let count = Int(Swift.min(Int64(FileRegion.chunkSize), end - position))
            let (file, at) = (file, position)
            let chunk = try await Blocking.run { try file.read(count, at: at) }
            guard !chunk.isEmpty else { throw BlobStoreError.io(operation: "pread (file shorter than expected)", path: file.path, errno: EIO) }
            position += Int64(chunk.count)
            return ByteBuffer(bytes: chunk)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(file: SharedDescriptor(path: path), position: offset, end: offset + length)
    }

    /// The SHA-256 of the region, read and hashed on a blocking thread (never the cooperative pool's).
    func sha256() async throws -> [UInt8] {
        let (path, offset, length) = (path, offset, length)
        return try await Blocking.run {
            let file = SharedDescriptor(path: path)
            var hasher = SHA256()
            var position = offset
            while position < offset + length {
                let chunk = try file.read(Int(Swift.min(Int64(Self.chunkSize), offset + length - position)), at: position)
                guard !chunk.isEmpty else { throw BlobStoreError.io(operation: "pread (file shorter than expected)", path: path, errno: EIO) }
                hasher.update(data: chunk)
                position += Int64(chunk.count)
            }
            return Array(hasher.finalize())
        }
    }
}

/// A read-only descriptor opened at the first read and closed with the last reference.
final class SharedDescriptor: @unchecked Sendable {
    let path: String
    private var fd: Int32 = -1

    init(path: String) { self.path = path }

    deinit { if fd >= 0 { close(fd) } }

    /// Up to `count` bytes at `offset`; fewer only at the end of the file. Called by one reader at a time.
    func read(_ count: Int, at offset: Int64) throws -> [UInt8] {
        if fd < 0 { fd = try POSIX.open(path, O_RDONLY) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIX.error("pread", path)
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeSubrange(filled...)
        return bytes
    }
}
