import Synchronization

/// Wakes the tasks waiting for something to happen (a notice committed), or lets each go after
/// its timeout: the in-process nudge that PostgreSQL's LISTEN/NOTIFY gives across servers.
public final class Wakeup: Sendable {
    private let waiters = Mutex<[Int: AsyncStream<Void>.Continuation]>([:])
    private let nextId = Atomic<Int>(0)

    /// A wake-up with no one waiting.
    public init() {}

    /// Wakes every task waiting now.
    public func fire() {
        waiters.withLock { waiters in
            for waiter in waiters.values { waiter.yield() }
        }
    }

    /// Returns at the next `fire()`, after `timeout`, or when the task is cancelled.
    public func wait(timeout: Duration) async {
        let id = nextId.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        waiters.withLock { $0[id] = continuation }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            continuation.finish()
        }
        for await _ in stream { break }
        timer.cancel()
        _ = waiters.withLock { $0.removeValue(forKey: id) }
    }
}
