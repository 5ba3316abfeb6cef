import Foundation

/// Runs blocking work (waiting for a curl or python child) on a thread of its own: blocking the
/// cooperative pool (2 threads on a 2-core machine) would starve the in-process server the
/// child is talking to, and deadlock.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.start()
    }
}
