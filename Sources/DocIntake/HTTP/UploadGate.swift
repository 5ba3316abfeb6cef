import Synchronization

/// Caps how many uploads are received at once: each holds a temp file, a scanner and CPU, and a
/// flood of them would starve everyone else. Past the cap an upload is refused with 503.
final class UploadGate: Sendable {
    let limit: Int
    private let inFlight = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Runs `body` holding a place, or returns nil without running it when every place is taken.
    func withPlace<T>(_ body: () async throws -> T) async rethrows -> T? {
        let (_, taken) = inFlight.add(1, ordering: .relaxed)
        defer { inFlight.subtract(1, ordering: .relaxed) }
        guard taken <= limit else { return nil }
        return try await body()
    }
}
