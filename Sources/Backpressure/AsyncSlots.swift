import Synchronization

/// A counting semaphore that suspends instead of blocking a thread: the back-pressure between an
/// upload's bytes and a consumer that runs on a queue of its own (clamd's stream, the ZIP check),
/// so a slow consumer slows the upload rather than filling memory.
public final class AsyncSlots: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    /// Slots for `count` pieces in flight.
    public init(_ count: Int) { state = Mutex(State(available: count)) }

    /// Takes a slot, waiting (suspended) until one is free.
    public func acquire() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                guard state.available == 0 else {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Gives a slot back, to the longest waiter if there is one.
    public func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume()
    }
}
