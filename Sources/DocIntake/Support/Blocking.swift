import Foundation
import NIOPosix

/// Runs blocking work (fsync, whole-file scans, SQLite, slow hashes) off the cooperative pool,
/// so one upload's disk wait never stalls the others.
enum Blocking {
    static func run<T: Sendable>(_ work: @Sendable @escaping () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    /// Runs work that may block for long (a sendmail program, up to its timeout) on a thread of its
    /// own, so that it never holds one of the shared pool's threads that uploads need for fsync.
    static func runOnOwnThread<T: Sendable>(_ work: @Sendable @escaping () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
