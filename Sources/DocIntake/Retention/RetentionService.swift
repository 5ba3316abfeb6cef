import Foundation
import Logging
import ServiceLifecycle
import Storage
import Synchronization

/// Runs the retention job inside the server every `interval` (`docintake serve
/// --retention-interval 24h`): once shortly after start-up, then at each interval. A graceful
/// shutdown ends the wait at once, and a run in progress at the next step boundary.
struct RetentionService: Service {
    let job: RetentionJob
    let interval: Duration
    let identity: OperatorIdentity
    let logger: Logger
    /// Before the first run, so that start-up (migrations, the temp sweep) is out of the way.
    let initialDelay: Duration

    init(job: RetentionJob, interval: Duration, identity: OperatorIdentity, logger: Logger,
                initialDelay: Duration = .seconds(5)) {
        self.job = job
        self.interval = interval
        self.identity = identity
        self.logger = logger
        self.initialDelay = initialDelay
    }

    func run() async throws {
        var delay = initialDelay
        while true {
            do {
                try await cancelWhenGracefulShutdown { [delay] in try await Task.sleep(for: delay) }
            } catch {
                return // shutting down (or cancelled) while waiting
            }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            await runOnce()
            delay = interval
        }
    }

    /// One run on the blocking pool; errors are logged, never end the service.
    func runOnce() async {
        let stop = StopFlag()
        let (job, identity, logger) = (self.job, self.identity, self.logger)
        await withGracefulShutdownHandler {
            do {
                let summary = try await Blocking.run {
                    try job.run(dryRun: false, by: identity, logger: logger, shouldStop: { stop.isSet })
                }
                let level: Logger.Level = summary.succeeded ? .notice : .error
                logger.log(level: level, "retention run finished", metadata: [
                    "documents_deleted": .stringConvertible(summary.documents.count),
                    "applications_withdrawn": .stringConvertible(summary.applicationsWithdrawn.count),
                    "blobs_deleted": .stringConvertible(summary.blobsDeleted),
                    "bytes_freed": .stringConvertible(summary.bytesFreed),
                    "temp_files_swept": .stringConvertible(summary.tempFilesSwept),
                    "errors": .stringConvertible(summary.errors.count),
                    "interrupted": .stringConvertible(summary.interrupted),
                ])
                for error in summary.errors { logger.error("retention step failed", metadata: ["error": .string(error)]) }
            } catch {
                logger.error("retention run failed", metadata: ["error": "\(error)"])
            }
        } onGracefulShutdown: {
            stop.set()
        }
    }
}

/// Set once by the shutdown handler, read by the job between steps.
private final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
