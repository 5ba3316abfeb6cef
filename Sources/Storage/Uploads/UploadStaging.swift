import Crypto
import Synchronization
import Writeback

#if canImport(Glibc)
import Glibc
#endif

/// The bytes of resumable uploads on this server: one file per session, `resumable-<id hash>` in
/// the local staging directory (`<data>/tmp`), appended to by one request at a time.
///
/// The generic staging sweep leaves these files alone (a restart must not lose a half-sent
/// document); the upload sweeper removes them with their expired sessions.
///
/// The SHA-256 of what a session holds is kept in memory between requests, so that a resume on
/// this process hashes only the new bytes; a resume that finds none (another process, or a state
/// that does not match the durable offset) re-hashes the file's prefix first.
public final class UploadStaging: Sendable {
    /// The staging directory.
    public let directory: String
    /// The name prefix that marks a resumable upload's file.
    public static let filePrefix = "resumable-"
    let hashes = Mutex<[String: HashCheckpoint]>([:])
    /// The request appending to each session now, so that a takeover can stop a stalled one before
    /// it writes another byte.
    let appending = Mutex<[String: UploadAppender]>([:])
    private let rehashedBytes = Atomic<Int64>(0)
    let fetchedBytes = Atomic<Int64>(0)

    /// The files of `directory`, which is created when missing.
    public init(directory: String) throws {
        self.directory = directory
        try POSIX.makeDirectories(directory)
    }

    /// Where a session's bytes are.
    public func path(idHash: String) -> String { "\(directory)/\(Self.filePrefix)\(idHash)" }

    /// How many bytes resumes have re-hashed from disk since this process started (the cost of a
    /// resume without a checkpoint).
    public var bytesRehashed: Int64 { rehashedBytes.load(ordering: .relaxed) }

    /// How many bytes resumes and uses have fetched from shared segments since this process started
    /// (what continuing an upload another server received costs).
    public var bytesFetched: Int64 { fetchedBytes.load(ordering: .relaxed) }

    /// Opens a session's file to append at `offset`, its durable length: bytes past it (a request
    /// that died before its fsync) are cut off, since the client was never told they arrived.
    /// A request still appending to the session (one whose lease was taken over) is revoked first:
    /// it writes nothing more and cannot commit.
    public func append(idHash: String, at offset: Int64) throws -> UploadAppender {
        appending.withLock { $0.removeValue(forKey: idHash) }?.revoke()
        let path = path(idHash: idHash)
        // Created only at the start: an empty file left by a request that found nothing here would
        // pass for the session's bytes.
        guard offset == 0 || POSIX.stat(path) != nil else { throw UploadStagingError.bytesMissing }
        let fd = try POSIX.open(path, O_RDWR | O_CREAT)
        do {
            let size = Int64(POSIX.stat(path)?.st_size ?? 0)
            guard size >= offset else { throw UploadStagingError.bytesMissing }
            if size > offset, ftruncate(fd, off_t(offset)) != 0 { throw POSIX.error("ftruncate", path) }
            if lseek(fd, off_t(offset), SEEK_SET) < 0 { throw POSIX.error("lseek", path) }
            let state = try checkpoint(idHash: idHash, offset: offset, fd: fd, path: path)
            let appender = UploadAppender(fd: fd, path: path, idHash: idHash, offset: offset, hash: state, staging: self)
            appending.withLock { $0[idHash] = appender }
            return appender
        } catch {
            close(fd)
            throw error
        }
    }

    /// The first `count` bytes of a session's file (fewer when it holds fewer).
    public func prefix(idHash: String, count: Int) throws -> [UInt8] {
        let path = path(idHash: idHash)
        let fd = try POSIX.open(path, O_RDONLY)
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try bytes.withUnsafeMutableBytes { try POSIX.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...]), path: path) }
            if n == 0 { break }
            filled += n
        }
        return Array(bytes.prefix(filled))
    }

    /// A complete session's bytes as a sealed blob ready to place, under a second name (a hard link),
    /// so that the session keeps its own until the application that takes them has committed.
    public func sealedCopy(idHash: String, sha256: String, size: Int64) throws -> SealedBlob {
        guard let digest = BlobDigest(hex: sha256) else { throw BlobStoreError.io(operation: "digest", path: sha256, errno: EINVAL) }
        let source = path(idHash: idHash)
        var template = Array("\(directory)/upload-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw POSIX.error("mkstemp", directory) }
        close(fd)
        let copy = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        unlink(copy)
        guard try POSIX.linkUnlessPresent(source, copy) else { throw BlobStoreError.io(operation: "link", path: copy, errno: EEXIST) }
        return SealedBlob(path: copy, digest: digest, size: size)
    }

    /// Removes a session's bytes and its hash checkpoint, stopping any request appending to it.
    public func remove(idHash: String) throws {
        appending.withLock { $0.removeValue(forKey: idHash) }?.revoke()
        _ = hashes.withLock { $0.removeValue(forKey: idHash) }
        try POSIX.unlinkIfPresent(path(idHash: idHash))
    }

    /// The names of every session file in the directory.
    public func sessionFiles() throws -> [String] {
        try FileBlobStore.entries(of: directory).filter { $0.hasPrefix(Self.filePrefix) }
    }

    /// The id hashes of session files not written to for more than `age` seconds.
    public func idleSessions(olderThan age: Double) throws -> [String] {
        let cutoff = FileBlobStore.now() - age
        return try sessionFiles().compactMap { name in
            guard let st = POSIX.stat("\(directory)/\(name)"), FileBlobStore.seconds(st.st_mtim) <= cutoff else { return nil }
            return String(name.dropFirst(Self.filePrefix.count))
        }
    }

    func store(_ checkpoint: HashCheckpoint, idHash: String) {
        hashes.withLock { $0[idHash] = checkpoint }
    }

    /// `appender` is done: it no longer stands in the way of the next request.
    func finished(_ appender: UploadAppender, idHash: String) {
        appending.withLock { if $0[idHash] === appender { $0[idHash] = nil } }
    }

    /// The hash of the file's first `offset` bytes: the checkpoint when it is for that offset, else
    /// read from the file.
    private func checkpoint(idHash: String, offset: Int64, fd: Int32, path: String) throws -> SHA256 {
        if let saved = hashes.withLock({ $0[idHash] }), saved.offset == offset { return saved.hasher }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var remaining = offset
        if lseek(fd, 0, SEEK_SET) < 0 { throw POSIX.error("lseek", path) }
        while remaining > 0 {
            let want = Int(min(Int64(buffer.count), remaining))
            let n = try buffer.withUnsafeMutableBytes { try POSIX.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[..<want]), path: path) }
            if n == 0 { throw BlobStoreError.io(operation: "rehash", path: path, errno: EIO) }
            hasher.update(data: buffer[..<n])
            remaining -= Int64(n)
        }
        rehashedBytes.add(offset, ordering: .relaxed)
        if lseek(fd, off_t(offset), SEEK_SET) < 0 { throw POSIX.error("lseek", path) }
        return hasher
    }
}

/// A hash state and the offset it covers. `SHA256` is a value (copy-on-write), never shared mutably.
struct HashCheckpoint: @unchecked Sendable {
    let offset: Int64
    let hasher: SHA256
}

/// One request's appending to a session's file. The offset it reports moves only with `commit()`,
/// after an fsync; `rollback()` cuts the file back to where the request started.
public final class UploadAppender: @unchecked Sendable {
    /// Where this request started.
    public let startOffset: Int64
    /// Bytes written so far, durable or not.
    public var writtenOffset: Int64 { file.withLock { $0.written } }
    private let path: String
    private let idHash: String
    private let hasher: BackgroundHasher
    private let staging: UploadStaging
    /// The descriptor (-1 once closed or revoked) and the bytes written; a write holds the lock, so
    /// that once `revoke()` returns no write of this request is under way.
    private let file: Mutex<(fd: Int32, written: Int64)>
    private let flush: FlushBehind?

    init(fd: Int32, path: String, idHash: String, offset: Int64, hash: SHA256, staging: UploadStaging) {
        self.path = path
        self.idHash = idHash
        self.startOffset = offset
        self.hasher = BackgroundHasher(resuming: hash)
        self.staging = staging
        self.file = Mutex((fd, offset))
        self.flush = FlushBehind(fd: fd, offset: offset)
    }

    deinit {
        file.withLock { file in if file.fd >= 0 { close(file.fd) } }
    }

    /// Appends bytes; they are hashed on another thread meanwhile. Throws `UploadStagingError.revoked`
    /// once another request took the session over.
    public func write(_ bytes: [UInt8]) throws {
        try file.withLock { file in
            guard file.fd >= 0 else { throw UploadStagingError.revoked }
            try bytes.withUnsafeBytes { try POSIX.writeAll(file.fd, $0, path: path) }
            file.written += Int64(bytes.count)
            flush?.wrote(upTo: file.written)
        }
        hasher.update(bytes)
    }

    /// Makes what was written durable (fsync) and closes the file; returns the new durable offset
    /// and, when that is the whole upload (`isLast`), the SHA-256 (hex) of every byte.
    public func commit(isLast: Bool) throws -> (offset: Int64, sha256: String?) {
        defer { staging.finished(self, idHash: idHash) }
        let written = try file.withLock { file in
            guard file.fd >= 0 else { throw UploadStagingError.revoked }
            defer {
                close(file.fd)
                file.fd = -1
            }
            do throws(FlushFailure) { try flush?.finish() } catch { throw POSIX.error("fsync", path, error.errno) }
            try POSIX.fsync(file.fd, path: path)
            return file.written
        }
        let state = hasher.snapshot()
        staging.store(HashCheckpoint(offset: written, hasher: state), idHash: idHash)
        return (written, isLast ? BlobDigest(state.finalize()).hex : nil)
    }

    /// Forgets this request's bytes: the file is cut back to `startOffset` and closed.
    public func rollback() {
        defer { staging.finished(self, idHash: idHash) }
        file.withLock { file in
            guard file.fd >= 0 else { return }
            _ = ftruncate(file.fd, off_t(startOffset))
            close(file.fd)
            file.fd = -1
        }
    }

    /// Stops this request: it writes nothing more and cannot commit. Its bytes past the durable
    /// offset are cut off by the request that took over.
    func revoke() {
        file.withLock { file in
            guard file.fd >= 0 else { return }
            close(file.fd)
            file.fd = -1
        }
    }
}

/// Why a resumable upload's bytes could not be appended.
public enum UploadStagingError: Error, Sendable, Equatable {
    /// Another request took the session over (its lease ran out, or the session was removed).
    case revoked
    /// The stored offset is past what this server holds: the bytes were received by another server
    /// (sessions are local to the server that received them), or lost with its staging directory.
    case bytesMissing
    /// A shared segment's bytes do not match the SHA-256 recorded with it: the store lost or
    /// changed them, and the upload cannot be continued.
    case corrupt(key: String)
}
