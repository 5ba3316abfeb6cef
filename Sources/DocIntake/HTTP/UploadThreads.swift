import Foundation
import NIOPosix

/// The threads upload bodies are received on. Each upload's parsing, temp-file writes and
/// per-chunk checks run here rather than on Swift's cooperative pool, which serves every other
/// request: on two cores eight uploads kept both of the pool's threads busy, and `/healthz` fell
/// to 0.04–0.06 × its idle rate (issue 23). On threads of their own, the kernel interleaves the
/// uploads with the pool's short requests, and at a lower priority (see `yieldToShortRequests`).
final class UploadThreads: TaskExecutor {
    /// One thread per core: the work is CPU and page-cache copies, not waits on the disk (fsyncs
    /// and whole-file scans go to `Blocking`).
    static let shared = UploadThreads(count: ProcessInfo.processInfo.activeProcessorCount)

    private let pool: NIOThreadPool

    private init(count: Int) {
        pool = NIOThreadPool(numberOfThreads: count)
        pool.start()
        // Elsewhere the nice value belongs to the whole process.
        #if os(Linux)
        Self.yieldToShortRequests(pool, count: count)
        #endif
    }

    /// Gives every thread of `pool` a nice value of 10 (on Linux the nice value is per thread), so
    /// that when the cores are busy a health check or a status page runs before the next chunk of
    /// an upload; with nothing else to run, the uploads still get all of the CPU. One job per
    /// thread, each held until all have started, so that no thread takes two (a moment's wait for
    /// the first upload, which creates the pool).
    private static func yieldToShortRequests(_ pool: NIOThreadPool, count: Int) {
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        for _ in 0..<count {
            pool.submit { _ in
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
                started.signal()
                release.wait()
            }
        }
        for _ in 0..<count { started.wait() }
        for _ in 0..<count { release.signal() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        pool.submit { _ in job.runSynchronously(on: executor) }
    }
}
