import Foundation
import NIOPosix

/// Runs blocking work (fsync, whole-file scans, SQLite, slow hashes) off the cooperative pool,
/// so one upload's disk wait never stalls the others.
public enum Blocking {
    /// The blocking work's own threads. Most of it waits on the disk (fsync, SQLite's reads and
    /// commits) rather than using a core, so there are more threads than cores: on NIO's shared pool
    /// (one thread per core, two here) a status page's database read queued behind two uploads'
    /// fsyncs and hashes, seen as a 10 s stall of a 404 while 100 MiB uploads were committing.
    public static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(16, 4 * ProcessInfo.processInfo.activeProcessorCount))
        pool.start()
        return pool
    }()

    public static func run<T: Sendable>(_ work: @Sendable @escaping () throws -> T) async throws -> T {
        try await pool.runIfActive(work)
    }

    /// Runs work that may block for long (a sendmail program, up to its timeout) on a thread of its
    /// own, so that it never holds one of the shared pool's threads that uploads need for fsync.
    public static func runOnOwnThread<T: Sendable>(_ work: @Sendable @escaping () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
