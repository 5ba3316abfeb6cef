import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes each notice as `<directory>/<key>.eml` (the default transport: `<data>/outbox/`).
///
/// The file is named after the notice's event key and written to a temp file, fsynced and
/// renamed, and its directory fsynced: a crash between writing and marking the notice sent only
/// makes the next attempt rewrite the same file with the same bytes, so a notice appears once.
struct FileNoticeTransport: NoticeTransport {
    let directory: String
    var name: String { "file" }

    /// Creates `directory` if needed.
    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Where `message` is (or will be) stored.
    func path(of message: MailMessage) -> String { directory + "/" + message.key + ".eml" }

    func deliver(_ message: MailMessage) throws {
        let bytes = try message.encoded()
        let final = path(of: message)
        // A dot file: a reader listing `*.eml` never sees a half-written message.
        let temp = directory + "/." + message.key + ".eml.tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw NoticeError.fileSystem(operation: "open", errno: errno) }
        do {
            defer { close(fd) }
            var written = 0
            while written < bytes.count {
                let result = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
                if result < 0 {
                    if errno == EINTR { continue }
                    throw NoticeError.fileSystem(operation: "write", errno: errno)
                }
                written += result
            }
            guard fsync(fd) == 0 else { throw NoticeError.fileSystem(operation: "fsync", errno: errno) }
        } catch {
            unlink(temp)
            throw error
        }
        guard rename(temp, final) == 0 else {
            let code = errno
            unlink(temp)
            throw NoticeError.fileSystem(operation: "rename", errno: code)
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw NoticeError.fileSystem(operation: "open directory", errno: errno) }
        defer { close(directoryFD) }
        guard fsync(directoryFD) == 0 else { throw NoticeError.fileSystem(operation: "fsync directory", errno: errno) }
    }
}
