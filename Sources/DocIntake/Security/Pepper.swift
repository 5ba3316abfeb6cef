import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The server-side key (ペッパー) mixed into every 秘密の番号 hash. It lives in a file outside the
/// database: four digits are only 10,000 candidates, so a copy of the database alone (a dump, a
/// backup, a replica) would otherwise confirm every secret, whatever the KDF's cost.
struct Pepper: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// 256 bits: HMAC-SHA-256's own output size.
    static let byteCount = 32

    private let bytes: Data

    /// The HMAC key (SymmetricKey is not Sendable, so the bytes are kept instead).
    var key: SymmetricKey { SymmetricKey(data: bytes) }

    private init(bytes: Data) { self.bytes = bytes }

    /// A fresh random pepper (tests, and the file created on first start).
    static func random() -> Pepper { Pepper(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }) }

    var description: String { "Pepper(****)" }
    var debugDescription: String { "Pepper(****)" }
    /// `dump()` and debuggers show the mask, not the key.
    var customMirror: Mirror { Mirror(self, children: [:]) }

    /// Reads the pepper file at `path`. When it is missing and `create` is set (the embedded
    /// default, `<data>/pepper`), first writes 32 random bytes there, mode 0600, atomically: a
    /// concurrent creator's file wins and is read instead. A file that others could read, or of
    /// the wrong length, is refused rather than trusted.
    static func load(path: String, create: Bool) throws -> Pepper {
        if create && access(path, F_OK) != 0 && errno == ENOENT { try Self.create(at: path) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw PepperError.missing(path) }
            throw PepperError.unreadable(path, String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw PepperError.unreadable(path, String(cString: strerror(errno))) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw PepperError.unreadable(path, "not a regular file") }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else { throw PepperError.tooOpen(path, mode: mode) }
        var bytes = [UInt8](repeating: 0, count: byteCount + 1)
        let count = read(fd, &bytes, bytes.count)
        guard count >= 0 else { throw PepperError.unreadable(path, String(cString: strerror(errno))) }
        guard count == byteCount, status.st_size == byteCount else { throw PepperError.wrongLength(path, Int(status.st_size)) }
        return Pepper(bytes: Data(bytes.prefix(byteCount)))
    }

    /// Writes a temp file beside `path`, then links it into place: `link` never replaces an
    /// existing file, so two servers starting at once end up sharing the first one's pepper.
    private static func create(at path: String) throws {
        let temp = path + ".tmp-" + UUID().uuidString
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PepperError.cannotCreate(path, String(cString: strerror(errno))) }
        defer { unlink(temp) }
        let written = Pepper.random().bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == byteCount, synced else { throw PepperError.cannotCreate(path, String(cString: strerror(errno))) }
        guard link(temp, path) == 0 || errno == EEXIST else { throw PepperError.cannotCreate(path, String(cString: strerror(errno))) }
        // The new name must survive a crash too, or a restart would create a different pepper.
        let parent = (path as NSString).deletingLastPathComponent
        let directory = open(parent.isEmpty ? "." : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}

/// Why the server would not use a pepper file. The messages name the file, never its content.
enum PepperError: Error, CustomStringConvertible {
    case missing(String)
    case unreadable(String, String)
    case tooOpen(String, mode: mode_t)
    case wrongLength(String, Int)
    case cannotCreate(String, String)

    var description: String {
        switch self {
        case .missing(let path):
            "pepper file \(path) does not exist; copy the one the other servers use, "
                + "or create one with: head -c 32 /dev/urandom > \(path) && chmod 600 \(path)"
        case .unreadable(let path, let reason): "cannot read pepper file \(path): \(reason)"
        case .tooOpen(let path, let mode):
            "pepper file \(path) is readable by others (mode \(String(mode, radix: 8))); run chmod 600 \(path)"
        case .wrongLength(let path, let size):
            "pepper file \(path) holds \(size) bytes, not \(Pepper.byteCount); restore the right file (never a new one: "
                + "the secrets hashed with the old pepper would no longer verify)"
        case .cannotCreate(let path, let reason): "cannot create pepper file \(path): \(reason)"
        }
    }
}
