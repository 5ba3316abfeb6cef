#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open regular file being scanned; owning it closes the descriptor exactly once.
struct InputFile: ~Copyable {
    let descriptor: Int32
    let reader: FileReader

    init(path: String) throws(FileReadError) {
        // Non-blocking, so that a FIFO at `path` fails the regular-file check instead of hanging the open.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw FileReadError(path: path, operation: "open", code: errno) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            throw FileReadError(path: path, operation: "fstat", code: code)
        }
        // A FIFO or device has no stable size to check a structure against.
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw FileReadError(path: path, operation: "not a regular file", code: 0)
        }
        self.descriptor = descriptor
        self.reader = FileReader(descriptor: descriptor, size: Int64(info.st_size), path: path)
    }

    deinit { close(descriptor) }
}
