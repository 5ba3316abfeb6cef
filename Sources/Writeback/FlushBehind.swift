import CWriteback
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Makes a file that is being written durable a few MiB behind its writer, so that the fsync after
/// the last byte, which the client waits for, has only the last few MiB left to flush.
///
/// An fsync costs about what was written since the previous one: on this project's VM 77–94 ms
/// after 100 MiB, 0.1 ms after a small append, and a disk with a volatile write cache behaves
/// alike. Starting writeback (sync_file_range) moves the bytes towards the device but does not
/// flush its cache; an fdatasync on a background thread every `flushStride` bytes does, while the
/// rest still arrives. The writer's own fsync stays the one that counts: `finish()` waits for the
/// flush in flight and reports any error it met, because that flush shares the file description
/// and would otherwise take the error from the final fsync.
public final class FlushBehind: @unchecked Sendable {
    /// Our own descriptor (a dup), so that a flush still queued never touches a descriptor number
    /// the writer has closed and the process has given to another file.
    private let fd: Int32
    private let queue = DispatchQueue(label: "docintake.flush-behind")
    /// Whether a flush is queued or running, and the first errno one of them met (0: none).
    private let state = Mutex<(busy: Bool, error: Int32)>((false, 0))
    // Touched only by the one writer.
    private var writtenBack: Int64
    private var flushed: Int64

    /// Writeback is started every MiB, small against a request, so the disk takes the bytes as they come.
    public static let writebackStride: Int64 = 1 << 20
    /// A flush every 2 MiB: a flush costs little beyond its bytes (0.1 ms for a small append here),
    /// and the fsync after the last byte finds at most this much left, plus the flush in flight.
    public static let flushStride: Int64 = 2 << 20

    /// Follows `fd`, whose bytes up to `offset` are already durable (or need not be: a new file).
    /// Nil when the descriptor cannot be duplicated; the writer then just fsyncs at the end.
    public init?(fd: Int32, offset: Int64) {
        let own = dup(fd)
        guard own >= 0 else { return nil }
        _ = fcntl(own, F_SETFD, FD_CLOEXEC)
        self.fd = own
        self.writtenBack = offset
        self.flushed = offset
    }

    deinit { close(fd) }

    /// The file now holds `offset` bytes.
    public func wrote(upTo offset: Int64) {
        if offset - writtenBack >= Self.writebackStride {
            // Only a hint: a failure here is one the fsync reports.
            _ = docintake_start_writeback(fd, writtenBack, offset - writtenBack)
            writtenBack = offset
        }
        guard offset - flushed >= Self.flushStride else { return }
        let start = state.withLock { state in
            if state.busy { return false }
            state.busy = true
            return true
        }
        guard start else { return }
        flushed = offset
        queue.async { [self] in
            let failed = fdatasync(fd) != 0 ? errno : 0
            state.withLock { state in
                state.busy = false
                if state.error == 0 { state.error = failed }
            }
        }
    }

    /// Waits for the flush in flight; throws the error a flush met, which the writer's fsync
    /// might no longer see.
    public func finish() throws(FlushFailure) {
        queue.sync {}
        let failed = state.withLock { $0.error }
        if failed != 0 { throw FlushFailure(errno: failed) }
    }
}

/// A background flush failed: the file's bytes may not be on the disk.
public struct FlushFailure: Error, Sendable, Equatable {
    /// What fdatasync(2) reported.
    public let errno: Int32
}
