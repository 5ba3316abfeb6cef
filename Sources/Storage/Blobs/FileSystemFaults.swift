/// A seam in `FileBlobStore`'s file-system calls: before each call it asks `inject`, which may
/// name an errno for the call to fail with instead of running, as a full disk (ENOSPC) or an
/// exhausted quota (EDQUOT) would. It lets tests and failure drills reach every place a real
/// full disk can surface — mid-stream, at fsync, at rename, creating a directory — without a
/// small file system. The default, `.none`, injects nothing.
public struct FileSystemFaults: Sendable {
    /// A file-system call the blob store is about to make.
    public enum Operation: Sendable, Equatable {
        /// `mkstemp` of an upload's temp file.
        case createTemporaryFile
        /// Appending `count` bytes at `offset` of an upload's temp file.
        case write(offset: Int64, count: Int)
        /// `fsync` of a temp file (sealing) or of a directory (after a rename or mkdir).
        case fsync
        /// `mkdir` of a blob directory that does not exist yet.
        case makeDirectory
        /// The rename that places a sealed temp file at its content address.
        case rename
    }

    private let inject: (@Sendable (Operation) -> Int32?)?

    /// Fails an operation with the errno `inject` returns for it; nil lets it run.
    public init(_ inject: @escaping @Sendable (Operation) -> Int32?) {
        self.inject = inject
    }

    private init() { inject = nil }

    /// No faults: every call runs.
    public static let none = FileSystemFaults()

    /// Throws the injected failure for `operation`, mapped like a real one (ENOSPC and EDQUOT
    /// become `BlobStoreError.noSpace`).
    func check(_ operation: Operation, _ name: String, path: String) throws {
        if let inject, let code = inject(operation) { throw POSIX.error(name, path, code) }
    }
}
