#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, throwing wrappers over the system calls the blob store needs, so that every
/// failure carries the operation and path, and ENOSPC becomes `.noSpace`.
enum POSIX {
    static func error(_ operation: String, _ path: String, _ code: Int32 = errno) -> BlobStoreError {
        code == ENOSPC || code == EDQUOT ? .noSpace : .io(operation: operation, path: path, errno: code)
    }

    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0o600) throws -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw error("open", path) }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw error("write", path)
            }
            offset += n
        }
    }

    /// Reads up to `buffer.count` bytes; 0 means end of file.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw error("read", path) }
        }
    }

    static func fsync(_ fd: Int32, path: String) throws {
        if Glibc.fsync(fd) != 0 { throw error("fsync", path) }
    }

    static func fsyncDirectory(_ path: String) throws {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsync(fd, path: path)
    }

    static func rename(_ from: String, _ to: String) throws {
        if Glibc.rename(from, to) != 0 { throw error("rename", "\(from) -> \(to)") }
    }

    /// Gives the file `from` the second name `to`, unless `to` exists (then false): of several
    /// callers linking to the same name, exactly one gets true.
    static func linkUnlessPresent(_ from: String, _ to: String) throws -> Bool {
        if Glibc.link(from, to) == 0 { return true }
        if errno == EEXIST { return false }
        throw error("link", "\(from) -> \(to)")
    }

    /// Removes a file; a file that is already gone is not an error.
    static func unlinkIfPresent(_ path: String) throws {
        if Glibc.unlink(path) != 0 && errno != ENOENT { throw error("unlink", path) }
    }

    static func stat(_ path: String) -> stat? {
        var st = Glibc.stat()
        return fstatat(AT_FDCWD, path, &st, 0) == 0 ? st : nil
    }

    /// Creates a directory and its parents (mode 0700); existing ones are fine. Each new entry's
    /// parent is fsynced, so a blob renamed into a new directory survives a power loss.
    static func makeDirectories(_ path: String, faults: FileSystemFaults = .none) throws {
        if stat(path) != nil { return }
        let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !parent.isEmpty { try makeDirectories(parent, faults: faults) }
        try faults.check(.makeDirectory, "mkdir", path: path)
        if mkdir(path, 0o700) != 0 {
            if errno == EEXIST { return }
            throw error("mkdir", path)
        }
        if !parent.isEmpty { try fsyncDirectory(parent) }
    }
}
