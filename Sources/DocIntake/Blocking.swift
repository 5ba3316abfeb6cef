import NIOPosix

/// Runs blocking work (fsync, whole-file scans, SQLite, slow hashes) off the cooperative pool,
/// so one upload's disk wait never stalls the others.
enum Blocking {
    static func run<T: Sendable>(_ work: @Sendable @escaping () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
