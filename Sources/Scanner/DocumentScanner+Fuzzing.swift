#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@_spi(Fuzzing)
extension DocumentScanner {
    /// For the fuzz harness in `fuzz/` only: the final stage on an already open regular file,
    /// without libmagic. libmagic's opinion never decides a verdict, and leaving it out keeps a
    /// fuzzer on our own structural checks (and off a C library's ASan reports).
    ///
    /// Behind `@_spi(Fuzzing)` so that the service cannot call it by accident.
    public func structuralResult(
        ofDescriptor descriptor: Int32, streamed: ZIPStreamReport? = nil
    ) throws(FileReadError)
        -> Result<DocumentType, Rejection>
    {
        let path = "/dev/fd/\(descriptor)"
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileReadError(path: path, operation: "fstat", code: errno) }
        return try result(checking: FileReader(descriptor: descriptor, size: Int64(info.st_size), path: path), streamed: streamed)
    }
}
