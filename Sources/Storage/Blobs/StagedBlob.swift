import Synchronization
import Writeback

#if canImport(Glibc)
import Glibc
#endif

/// An upload in progress: a private temp file that is hashed and counted as bytes arrive.
///
/// Staging is always a local file, whatever the backend, because the Scanner's final stage
/// reads the complete file from disk before anything is committed.
/// One upload owns it from `stage()` to `seal()` or `discard()`; it is `Sendable` only so that
/// the owner can hand it to a blocking thread for the fsync.
public final class StagedBlob: @unchecked Sendable {
    /// Where the bytes are being written; valid until the blob is placed or discarded.
    public let path: String
    /// Bytes written so far.
    public private(set) var byteCount: Int64 = 0

    private var fd: Int32
    private let hasher = BackgroundHasher()
    private let faults: FileSystemFaults
    private let tee: (any StagingTee)?
    private let flush: FlushBehind?

    /// A temp file in `directory`; `tee`, given the file's path, watches it fill (a remote store).
    init(directory: String, faults: FileSystemFaults = .none, tee makeTee: ((String) -> any StagingTee)? = nil) throws {
        try faults.check(.createTemporaryFile, "mkstemp", path: directory)
        var template = Array("\(directory)/upload-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw POSIX.error("mkstemp", directory) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        self.fd = fd
        self.flush = FlushBehind(fd: fd, offset: 0)
        self.faults = faults
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.path = path
        self.tee = makeTee?(path)
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(path)
            tee?.abandon()
        }
    }

    /// Appends bytes as they arrive from the network; they are hashed on another thread meanwhile.
    public func write(_ bytes: [UInt8]) throws {
        precondition(fd >= 0, "write after seal or discard")
        try faults.check(.write(offset: byteCount, count: bytes.count), "write", path: path)
        try bytes.withUnsafeBytes { try POSIX.writeAll(fd, $0, path: path) }
        hasher.update(bytes)
        byteCount += Int64(bytes.count)
        flush?.wrote(upTo: byteCount)
        tee?.staged(byteCount: byteCount)
        if let failure = tee?.failure { throw failure }
    }

    /// Makes the bytes durable (fsync) and names them. Call once, after the last byte.
    public func seal() throws -> SealedBlob {
        precondition(fd >= 0, "seal after seal or discard")
        defer {
            close(fd)
            fd = -1
        }
        do {
            try faults.check(.fsync, "fsync", path: path)
            do throws(FlushFailure) { try flush?.finish() } catch { throw POSIX.error("fsync", path, error.errno) }
            try POSIX.fsync(fd, path: path)
        } catch {
            unlink(path)
            tee?.abandon()
            throw error
        }
        tee?.sealed(byteCount: byteCount)
        return SealedBlob(path: path, digest: BlobDigest(hasher.finalize()), size: byteCount, tee: tee)
    }

    /// Abandons the upload and removes its temp file.
    public func discard() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(path)
        tee?.abandon()
    }
}

/// A complete, fsynced temp file with its digest, ready to be placed in a store.
///
/// It owns its temp file until the file is placed or discarded, and only then: a late
/// `discard()` after `place` must not unlink a new upload that `mkstemp` gave the same name.
public final class SealedBlob: Sendable {
    /// The temp file, while this value still owns it.
    public let path: String
    public let digest: BlobDigest
    public let size: Int64
    /// What the store that staged it has already sent elsewhere (see `StagingTee`).
    public let tee: (any StagingTee)?
    private let owned = Mutex(true)

    init(path: String, digest: BlobDigest, size: Int64, tee: (any StagingTee)? = nil) {
        self.path = path
        self.digest = digest
        self.size = size
        self.tee = tee
    }

    deinit { discard() }

    /// Hands the temp file to `body` (e.g. to rename it); afterwards this value no longer owns it.
    /// Returns false, without calling `body`, when the file was already handed over or discarded.
    func consume(_ body: (String) throws -> Void) throws -> Bool {
        try owned.withLock { owned in
            guard owned else { return false }
            try body(path)
            owned = false
            return true
        }
    }

    /// Removes the temp file of a blob that will not be placed; a no-op once placed or discarded.
    public func discard() {
        let wasOwned = owned.withLock { owned in
            defer { owned = false }
            if owned { unlink(path) }
            return owned
        }
        if wasOwned { tee?.abandon() }
    }
}
