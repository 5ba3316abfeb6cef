import Dispatch

/// Waits on a thread that is not the cooperative pool's for async work to finish: SQLite's
/// synchronous transactions await a blob store's async removal this way.
enum AsyncBridge {
    /// Runs `work` in a task and blocks the calling thread until it finishes. Never call it from the
    /// cooperative pool: the task may need that very thread.
    static func wait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox<T>()
        Task {
            do { result.value = .success(try await work()) } catch { result.value = .failure(error) }
            done.signal()
        }
        done.wait()
        return try result.value!.get()
    }
}

/// Written by the task before the semaphore is signalled, read by the waiter after: ordered.
private final class ResultBox<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}
