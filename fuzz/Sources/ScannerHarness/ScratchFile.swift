#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One unlinked file in tmpfs that every input is written to in turn: the Scanner reads files
/// by descriptor, and a file in memory costs a fuzz iteration two system calls, not a disk write.
final class ScratchFile: Sendable {
    let descriptor: Int32

    init() {
        let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        var template = Array("\(directory)/docintake-fuzz-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { fatalError("mkstemp in \(directory): errno \(errno)") }
        unlink(String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
        self.descriptor = descriptor
    }

    /// Makes the file hold exactly `bytes`.
    func replaceContents(with bytes: UnsafeRawBufferPointer) {
        guard ftruncate(descriptor, 0) == 0 else { fatalError("ftruncate: errno \(errno)") }
        var written = 0
        while written < bytes.count {
            let count = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(written))
            guard count > 0 else { fatalError("pwrite: errno \(errno)") }
            written += count
        }
    }
}
