import Foundation
import Storage

/// Runs a maintenance job under its lease in the metadata store, so that at most one process at a
/// time runs it, across every server sharing the database and every operator command: with
/// `--retention-interval` on each server, one of them does the work and the others skip.
///
/// The lease is renewed in the background while the job runs, and given up at the end; a process
/// that dies holding it only blocks the job until the lease expires.
struct JobLeaseGuard: Sendable {
    let metadata: any MetadataStore
    /// `retention`, `scrub`, … (the job's name in `job_leases`).
    let job: String
    /// How long one grant lasts; renewed every third of it.
    var lease: Duration = .seconds(600)
    var clock: @Sendable () -> Date = { Date() }

    /// Runs `body` holding the lease, or throws `JobBusy` when another holder has it.
    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let holder = Self.holder()
        let (metadata, job, lease, clock) = (metadata, job, lease, clock)
        let now = clock()
        guard try await metadata.acquireJobLease(job: job, holder: holder, now: now, expiresAt: now.addingTimeInterval(lease.timeInterval))
        else {
            let current = try await metadata.jobLease(job: job)
            throw JobBusy(job: job, holder: current?.holder ?? "?", until: current?.expiresAt ?? now)
        }
        let renewal = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: lease / 3)
                guard !Task.isCancelled else { return }
                let now = clock()
                _ = try? await metadata.acquireJobLease(job: job, holder: holder, now: now, expiresAt: now.addingTimeInterval(lease.timeInterval))
            }
        }
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        renewal.cancel()
        try? await metadata.releaseJobLease(job: job, holder: holder)
        return try result.get()
    }

    /// This process, unique across hosts and restarts.
    static func holder() -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
    }
}

/// Another process holds a job's lease: the job is running elsewhere, and nothing was done here.
public struct JobBusy: Error, Sendable, Equatable, CustomStringConvertible {
    /// The job.
    public let job: String
    /// Who runs it (host:pid:random).
    public let holder: String
    /// When its lease runs out unless renewed.
    public let until: Date

    public var description: String {
        "a \(job) run is already in progress (\(holder), its lease runs to \(until.formatted(.iso8601))); try again later"
    }
}
