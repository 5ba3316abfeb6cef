import Foundation

/// Runs `work` on `count` threads of their own at once and returns when all have finished,
/// without blocking a thread of the cooperative pool (which tests of other targets running in
/// the same process need for their in-process servers).
func onThreads(_ count: Int, _ work: @escaping @Sendable (Int) throws -> Void) async throws {
    let errors = ErrorBox()
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread {
                do { try work(index) } catch { errors.append(error) }
                group.leave()
            }.start()
        }
        group.notify(queue: .global()) { continuation.resume() }
    }
    if let first = errors.first { throw first }
}

private final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error] = []

    func append(_ error: any Error) { lock.withLock { errors.append(error) } }
    var first: (any Error)? { lock.withLock { errors.first } }
}
