import Crypto
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

extension UploadStaging {
    /// Makes this server's file of a session hold its first `offset` bytes, as the session's
    /// `segments` record them, fetching what it lacks from `store`; returns their SHA-256 (hex).
    ///
    /// The file is trusted only as far as this process's hash checkpoint reaches: those bytes were
    /// written here and their offset stored. Anything after it (another server continued the upload,
    /// or a request here lost its lease) is cut off and fetched again, every segment checked against
    /// its SHA-256. Call it holding the session's lease, or for a complete session.
    @discardableResult
    public func restore(idHash: String, upTo offset: Int64, segments: [UploadSegment], from store: any UploadSegmentStore) async throws -> String {
        appending.withLock { $0.removeValue(forKey: idHash) }?.revoke()
        let path = path(idHash: idHash)
        let size = Int64(POSIX.stat(path)?.st_size ?? 0)
        var held: Int64 = 0
        var hasher = SHA256()
        if let saved = hashes.withLock({ $0[idHash] }), saved.offset <= offset, saved.offset <= size {
            (held, hasher) = (saved.offset, saved.hasher)
        }
        if held < offset {
            let fd = try POSIX.open(path, O_RDWR | O_CREAT)
            defer { close(fd) }
            if ftruncate(fd, off_t(held)) != 0 || lseek(fd, off_t(held), SEEK_SET) < 0 { throw POSIX.error("ftruncate", path) }
            for segment in segments.sorted(by: { $0.offset < $1.offset }) where segment.end > held && segment.offset < offset {
                guard segment.offset <= held, segment.end <= offset else { throw UploadStagingError.bytesMissing }
                var check = SHA256()
                var position = segment.offset
                try await store.read(segment) { buffer in
                    check.update(data: buffer.readableBytesView)
                    let skip = Int(max(0, min(held - position, Int64(buffer.readableBytes))))
                    position += Int64(buffer.readableBytes)
                    guard position <= segment.end else { return }
                    let bytes = Array(buffer.readableBytesView.dropFirst(skip))
                    hasher.update(data: bytes)
                    try await Blocking.run { try bytes.withUnsafeBytes { try POSIX.writeAll(fd, $0, path: path) } }
                }
                guard position == segment.end, Self.hex(check.finalize()) == segment.sha256 else {
                    throw UploadStagingError.corrupt(key: segment.key)
                }
                held = segment.end
                fetchedBytes.add(segment.length, ordering: .relaxed)
            }
            guard held == offset else { throw UploadStagingError.bytesMissing }
            try await Blocking.run { try POSIX.fsync(fd, path: path) }
            self.store(HashCheckpoint(offset: offset, hasher: hasher), idHash: idHash)
        }
        return Self.hex(hasher.finalize())
    }

    /// Drops this process's hash checkpoint of a session, so that its file is trusted no further:
    /// the offset the checkpoint stands at was not stored (the lease was lost on the way).
    public func forget(idHash: String) {
        _ = hashes.withLock { $0.removeValue(forKey: idHash) }
    }

    static func hex(_ digest: SHA256.Digest) -> String { BlobDigest(digest).hex }
}
