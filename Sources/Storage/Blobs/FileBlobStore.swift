#if canImport(Glibc)
import Glibc
#endif

/// Blobs as files under `<root>/blobs/sha256/ab/cd/<64 hex>`, staged under `<root>/tmp/`.
///
/// The write path: stream into a temp file in `tmp/` (same file system), fsync it, rename it to
/// its content address, fsync the directory. A crash at any point leaves either no blob or a
/// complete one; temp files left behind are swept by `sweepStaging`.
public struct FileBlobStore: BlobStore {
    /// The data directory holding `blobs/` and `tmp/`.
    public let root: String
    var stagingDirectory: String { root + "/tmp" }
    var blobDirectory: String { root + "/blobs/sha256" }
    /// Failures to inject into the write path; `.none` in service.
    public let faults: FileSystemFaults

    /// Opens (and creates if needed) a store under `root`.
    public init(root: String, faults: FileSystemFaults = .none) throws {
        self.root = root
        self.faults = faults
        try POSIX.makeDirectories(root + "/tmp")
        try POSIX.makeDirectories(root + "/blobs/sha256")
    }

    /// The file a blob lives in.
    public func path(of digest: BlobDigest) -> String {
        let hex = digest.hex
        return "\(blobDirectory)/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex)"
    }

    public func stage() throws -> StagedBlob {
        try StagedBlob(directory: stagingDirectory, faults: faults)
    }

    /// Places the sealed file at its content address; returns whether this call created the blob.
    /// Where a blob is already there, the file is renamed over it anyway: the new bytes were just
    /// hashed and fsynced, the rename is atomic, and it heals a damaged copy.
    @discardableResult
    public func place(_ sealed: SealedBlob) async throws -> Bool {
        try await Blocking.run { try placeNow(sealed) }
    }

    private func placeNow(_ sealed: SealedBlob) throws -> Bool {
        let destination = path(of: sealed.digest)
        let directory = String(destination[..<destination.lastIndex(of: "/")!])
        var created = false
        do {
            try POSIX.makeDirectories(directory, faults: faults)
            // Placing twice (a retried transaction) is fine as long as the first placement stands.
            guard
                try sealed.consume({ temp in
                    try faults.check(.rename, "rename", path: destination)
                    // link(2) makes the name only where there is none, so of several writers placing
                    // the same bytes exactly one creates the blob, and only its rollback removes it.
                    if try POSIX.linkUnlessPresent(temp, destination) {
                        created = true
                        try POSIX.unlinkIfPresent(temp)
                    } else {
                        try POSIX.rename(temp, destination)
                    }
                })
            else {
                guard POSIX.stat(destination) != nil else { throw BlobStoreError.notFound(sealed.digest) }
                return false
            }
            try faults.check(.fsync, "fsync", path: directory)
            try POSIX.fsyncDirectory(directory)
        } catch {
            sealed.discard()
            // A new blob that could not be made durable goes again: the caller's transaction
            // fails with this error, so nothing will reference it.
            if created { try? POSIX.unlinkIfPresent(destination) }
            throw error
        }
        return created
    }

    public func contains(_ digest: BlobDigest) async throws -> Bool {
        POSIX.stat(path(of: digest)) != nil
    }

    public func open(_ digest: BlobDigest) async throws -> any BlobReader {
        try await Blocking.run { try FileBlobReader(path: path(of: digest), digest: digest) }
    }

    public func remove(_ digest: BlobDigest) async throws {
        try await Blocking.run { try POSIX.unlinkIfPresent(path(of: digest)) }
    }

    public func list() async throws -> [StoredBlobFile] {
        try await Blocking.run { try listNow() }
    }

    private func listNow() throws -> [StoredBlobFile] {
        var found: [StoredBlobFile] = []
        for first in try Self.entries(of: blobDirectory) {
            for second in try Self.entries(of: "\(blobDirectory)/\(first)") {
                let directory = "\(blobDirectory)/\(first)/\(second)"
                for name in try Self.entries(of: directory) {
                    guard let digest = BlobDigest(hex: name), let st = POSIX.stat("\(directory)/\(name)") else { continue }
                    found.append(StoredBlobFile(digest: digest, size: Int64(st.st_size), modifiedAt: Self.seconds(st.st_mtim)))
                }
            }
        }
        return found
    }

    /// The file's size and modification time, from `stat`.
    public func file(_ digest: BlobDigest) async throws -> StoredBlobFile? {
        guard let st = POSIX.stat(path(of: digest)) else { return nil }
        return StoredBlobFile(digest: digest, size: Int64(st.st_size), modifiedAt: Self.seconds(st.st_mtim))
    }

    @discardableResult
    public func sweepStaging(olderThan age: Double) throws -> [String] {
        let stale = try staleStagingFiles(olderThan: age)
        for path in stale { try POSIX.unlinkIfPresent(path) }
        return stale
    }

    /// Temp files whose modification time is more than `age` seconds ago, by the real clock. A
    /// resumable upload's file is not one: its session says when it goes (`UploadStaging`).
    public func staleStagingFiles(olderThan age: Double) throws -> [String] {
        let cutoff = Self.now() - age
        return try Self.entries(of: stagingDirectory).sorted().compactMap { name in
            guard !name.hasPrefix(UploadStaging.filePrefix) else { return nil }
            let path = "\(stagingDirectory)/\(name)"
            guard let st = POSIX.stat(path), Self.seconds(st.st_mtim) <= cutoff else { return nil }
            return path
        }
    }

    static func seconds(_ time: timespec) -> Double {
        Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return seconds(ts)
    }

    static func entries(of directory: String) throws -> [String] {
        guard let dir = opendir(directory) else {
            if errno == ENOENT { return [] }
            throw POSIX.error("opendir", directory)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
