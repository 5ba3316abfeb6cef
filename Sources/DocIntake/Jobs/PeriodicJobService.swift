import Foundation
import Logging
import ServiceLifecycle
import Storage
import Synchronization

/// Runs a maintenance job inside the server every `interval` (`serve --retention-interval 24h`,
/// `--rescan-interval 6h`): once shortly after start-up, then at each interval. A graceful
/// shutdown ends the wait at once, and a run in progress at the job's next step boundary: the
/// job reads `shouldStop` between steps.
struct PeriodicJobService: Service {
    let interval: Duration
    /// Before the first run, so that start-up (migrations, the temp sweep) is out of the way.
    let initialDelay: Duration
    /// One run; it logs its own outcome and never throws, so a failed run never ends the service.
    let body: @Sendable (_ shouldStop: @escaping @Sendable () -> Bool) async -> Void

    func run() async throws {
        var delay = initialDelay
        while true {
            do {
                try await cancelWhenGracefulShutdown { [delay] in try await Task.sleep(for: delay) }
            } catch {
                return  // shutting down (or cancelled) while waiting
            }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            let stop = StopFlag()
            await withGracefulShutdownHandler {
                await body { stop.isSet }
            } onGracefulShutdown: {
                stop.set()
            }
            delay = interval
        }
    }
}

extension PeriodicJobService {
    /// The retention job, as `identity`.
    static func retention(_ job: RetentionJob, interval: Duration, identity: OperatorIdentity, logger: Logger) -> Self {
        PeriodicJobService(interval: interval, initialDelay: min(interval, .seconds(5))) { shouldStop in
            do {
                let summary = try await job.run(dryRun: false, by: identity, logger: logger, shouldStop: shouldStop)
                let level: Logger.Level = summary.succeeded ? .notice : .error
                logger.log(
                    level: level, "retention run finished",
                    metadata: [
                        "documents_deleted": .stringConvertible(summary.documents.count),
                        "applications_withdrawn": .stringConvertible(summary.applicationsWithdrawn.count),
                        "blobs_deleted": .stringConvertible(summary.blobsDeleted),
                        "bytes_freed": .stringConvertible(summary.bytesFreed),
                        "temp_files_swept": .stringConvertible(summary.tempFilesSwept),
                        "errors": .stringConvertible(summary.errors.count),
                        "interrupted": .stringConvertible(summary.interrupted),
                    ])
                for error in summary.errors { logger.error("retention step failed", metadata: ["error": .string(error)]) }
            } catch let busy as JobBusy {
                logger.info("retention skipped", metadata: ["why": .string(busy.description)])
            } catch {
                logger.error("retention run failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The rescan, as `identity`. A rescan another server is running is skipped, not an error.
    static func rescan(_ job: RescanJob, interval: Duration, identity: OperatorIdentity, logger: Logger) -> Self {
        PeriodicJobService(interval: interval, initialDelay: min(interval, .seconds(5))) { shouldStop in
            do {
                let report = try await job.run(by: identity, logger: logger, shouldStop: shouldStop)
                logger.log(
                    level: report.outcome == "ok" ? .notice : .warning, "rescan finished",
                    metadata: [
                        "documents_scanned": .stringConvertible(report.documentsScanned),
                        "bytes_scanned": .stringConvertible(report.bytesScanned),
                        "documents_quarantined": .stringConvertible(report.quarantined.count),
                        "unreadable_documents": .stringConvertible(report.unreadable.count),
                        "interrupted": .stringConvertible(report.interrupted),
                        "duration_seconds": .stringConvertible(report.durationSeconds),
                    ])
            } catch let error as RescanError where error.isAlreadyRunning {
                logger.info("rescan skipped", metadata: ["why": .string(error.description)])
            } catch {
                logger.error("rescan failed; it runs again at the next interval", metadata: ["error": "\(error)"])
            }
        }
    }
}

extension PeriodicJobService {
    /// Deletes expired resumable uploads with their bytes; every server sweeps its own staging.
    static func uploadSweep(_ service: UploadService, interval: Duration, logger: Logger) -> Self {
        PeriodicJobService(interval: interval, initialDelay: min(interval, .seconds(5))) { _ in
            do {
                try await service.sweepExpired()
            } catch {
                logger.error("expired uploads not swept; the sweep runs again at the next interval", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Set once by the shutdown handler, read by the job between steps.
private final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
