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
        // Take a place only while one is free, so that a burst of refused attempts never counts
        // against the uploads really in flight.
        var current = inFlight.load(ordering: .relaxed)
        while true {
            guard current < limit else { return nil }
            let (exchanged, original) = inFlight.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
        defer { inFlight.subtract(1, ordering: .relaxed) }
        return try await body()
    }
}
