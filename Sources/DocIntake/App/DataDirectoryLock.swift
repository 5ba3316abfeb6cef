import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on `<data>/serve.lock`, held for the server's lifetime: start-up removes
/// every temp file as a crash's leftover, which is only true while no other server is using the
/// same data directory.
final class DataDirectoryLock: Sendable {
    private let fd: Int32

    init(dataDirectory: String) throws {
        let path = dataDirectory + "/serve.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DataDirectoryLockError.cannotOpen(path, String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw DataDirectoryLockError.inUse(dataDirectory)
        }
        self.fd = fd
    }

    deinit { close(fd) }
}

/// Why the server could not take its data directory.
enum DataDirectoryLockError: Error, CustomStringConvertible {
    case inUse(String)
    case cannotOpen(String, String)

    var description: String {
        switch self {
        case .inUse(let directory): "another docintake server is already using \(directory); stop it or pass another --data-dir"
        case .cannotOpen(let path, let reason): "cannot open \(path): \(reason)"
        }
    }
}
