import Foundation
import NIOPosix

/// The threads upload bodies are received on. Each upload's parsing, temp-file writes and
/// per-chunk checks run here rather than on Swift's cooperative pool, which serves every other
/// request: on two cores eight uploads kept both of the pool's threads busy, and `/healthz` fell
/// to 0.04–0.06 × its idle rate (issue 23). On threads of their own, the kernel interleaves the
/// uploads with the pool's short requests.
final class UploadThreads: TaskExecutor {
    /// One thread per core: the work is CPU and page-cache copies, not waits on the disk (fsyncs
    /// and whole-file scans go to `Blocking`).
    static let shared = UploadThreads(count: ProcessInfo.processInfo.activeProcessorCount)

    private let pool: NIOThreadPool

    private init(count: Int) {
        pool = NIOThreadPool(numberOfThreads: count)
        pool.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        pool.submit { _ in job.runSynchronously(on: executor) }
    }
}
