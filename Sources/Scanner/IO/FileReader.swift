#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Positioned reads from an open file; it borrows the descriptor that an ``InputFile`` owns.
struct FileReader: Sendable {
    let descriptor: Int32
    /// The size when the file was opened; structures are checked against it.
    let size: Int64
    let path: String

    /// Fills as much of `buffer` as the file holds from `offset`; fewer bytes only at end of file.
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset) + off_t(filled))
            if count > 0 {
                filled += count
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw FileReadError(path: path, operation: "pread", code: errno)
            }
        }
        return filled
    }

    /// Up to `count` bytes from `offset`; fewer only at end of file.
    func read(at offset: Int64, count: Int) throws -> [UInt8] {
        guard count > 0, offset < size else { return [] }
        let wanted = Int(min(Int64(count), size - offset))
        var bytes = [UInt8](repeating: 0, count: wanted)
        let filled = try bytes.withUnsafeMutableBytes { buffer in
            try read(at: offset, into: buffer)
        }
        bytes.removeLast(wanted - filled)
        return bytes
    }

    /// Exactly `count` bytes from `offset`, or a ``Rejection`` with `reason` when the file ends first.
    func readExactly(at offset: Int64, count: Int, orReject reason: RejectionReason, _ what: String) throws -> [UInt8] {
        guard offset >= 0, offset <= size else {
            throw Rejection(reason, detail: "\(what) at \(offset) lies beyond the end of the \(size)-byte file")
        }
        let bytes = try read(at: offset, count: count)
        guard bytes.count == count else {
            throw Rejection(reason, detail: "\(what): needed \(count) bytes at \(offset), the \(size)-byte file has \(bytes.count)")
        }
        return bytes
    }
}
