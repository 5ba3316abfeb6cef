import Crypto
import Foundation
import NIOCore
import Writeback

/// The temp file a download streams into, `<final name>.part` in the output directory (so the
/// final rename never crosses file systems). It outlives a killed process, which is what lets
/// the next run resume; it becomes the final file only by `commit(as:)`.
final class PartFile {
    let path: String
    private(set) var size: Int64
    private var descriptor: Int32
    /// Flushes the document a few MiB behind the bytes arriving, so that `commit`'s fsync finds little left.
    private var flush: FlushBehind?

    /// Opens or creates the temp file. `O_NOFOLLOW` refuses a symlink planted in a shared output
    /// directory; the mode is owner-only because the documents hold personal data.
    init(path: String) throws(ReviewError) {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .fileSystem(operation: "open", path: path, errno: errno) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw .fileSystem(operation: "inspect", path: path, errno: code)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw .fileSystem(operation: "use as a temp file", path: path, errno: EINVAL)
        }
        // Two runs appending to one temp file would interleave their bytes; the second must wait
        // for the first to finish instead.
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            throw .fileSystem(operation: "lock (another download may be writing it)", path: path, errno: code)
        }
        size = Int64(status.st_size)
        flush = FlushBehind(fd: descriptor, offset: size)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// The SHA-256 state after the bytes already in the file, read in bounded chunks so that
    /// resuming a large document costs no more memory than downloading it.
    func hashContents() throws(ReviewError) -> SHA256 {
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        while offset < size {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .fileSystem(operation: "read", path: path, errno: count < 0 ? errno : EIO) }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            offset += Int64(count)
        }
        return hasher
    }

    /// Empties the file, to start the document over.
    func truncate() throws(ReviewError) {
        guard ftruncate(descriptor, 0) == 0 else { throw .fileSystem(operation: "truncate", path: path, errno: errno) }
        size = 0
        flush = FlushBehind(fd: descriptor, offset: 0)
    }

    /// Appends `buffer` at the end.
    func append(_ buffer: ByteBuffer) throws(ReviewError) {
        let failure: Int32? = buffer.withUnsafeReadableBytes { bytes in
            var written = 0
            while written < bytes.count {
                let count = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(size) + off_t(written))
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += count
            }
            return nil
        }
        if let failure { throw .fileSystem(operation: "write", path: path, errno: failure) }
        size += Int64(buffer.readableBytes)
        flush?.wrote(upTo: size)
    }

    /// Makes the file durable and renames it to `finalPath`, then makes the rename durable, so that
    /// after a crash either the complete file is there under its final name or nothing is.
    func commit(as finalPath: String) throws(ReviewError) {
        do throws(FlushFailure) { try flush?.finish() } catch { throw .fileSystem(operation: "sync", path: path, errno: error.errno) }
        guard fsync(descriptor) == 0 else { throw .fileSystem(operation: "sync", path: path, errno: errno) }
        close(descriptor)
        descriptor = -1
        guard rename(path, finalPath) == 0 else { throw .fileSystem(operation: "rename to \(finalPath)", path: path, errno: errno) }
        let directory = (finalPath as NSString).deletingLastPathComponent
        let handle = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if handle >= 0 {
            // Best effort: some file systems refuse fsync on a directory, and the data is already safe.
            _ = fsync(handle)
            close(handle)
        }
    }

    /// Deletes the file: its bytes are known to be wrong.
    func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(path)
    }
}
