import Synchronization

/// Wraps a request body to remember whether it was read to its end, so an error response knows
/// whether unread bytes are still on the wire (and the connection must be closed).
struct TrackedBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element: Sendable {
    typealias Element = Base.Element
    let base: Base
    let state = ReadState()

    final class ReadState: Sendable {
        let finished = Atomic<Bool>(false)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let state: ReadState

        mutating func next() async throws -> Element? {
            let element = try await base.next()
            if element == nil { state.finished.store(true, ordering: .relaxed) }
            return element
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), state: state)
    }

    var wasReadToEnd: Bool { state.finished.load(ordering: .relaxed) }
}
