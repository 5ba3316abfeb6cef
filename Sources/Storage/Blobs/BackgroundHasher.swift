import Crypto
import Dispatch

/// SHA-256 of an upload, computed on its own thread while the caller goes on writing the bytes.
///
/// Hashing is the largest share of an upload's CPU time; on the request's thread it made writing and
/// hashing take turns. Here they overlap, and a budget bounds the bytes waiting, so a hasher that
/// falls behind slows the writer down instead of buffering the upload in memory.
///
/// One writer per hasher: `update` is called by the upload's owner only, so taking a chunk's
/// units one by one cannot interleave with another chunk's.
final class BackgroundHasher: @unchecked Sendable {
    /// At background QoS, which libdispatch on Linux runs at nice 10: when the cores are busy, a
    /// health check or a status page goes before bulk hashing (issue 23). Without it the queue
    /// took the QoS of the thread that fed it, nice -2 or -4, above every request.
    private let queue = DispatchQueue(label: "docintake.blob-hasher", qos: .background)
    /// One per `unit` bytes of the budget.
    private let slots: DispatchSemaphore
    private let units: Int
    // Touched only on `queue`.
    private var hasher = SHA256()

    private static let unit = 64 * 1024

    /// At most about `budget` bytes wait (a chunk larger than it waits alone); network chunks are
    /// 64–256 KiB. `resuming` continues a hash over bytes already seen (a resumable upload's
    /// earlier requests).
    init(budget: Int = 1 << 20, resuming state: SHA256 = SHA256()) {
        units = max(1, budget / Self.unit)
        slots = DispatchSemaphore(value: units)
        hasher = state
    }

    /// Queues a chunk; blocks only while the budget is taken.
    func update(_ bytes: [UInt8]) {
        let cost = min(units, max(1, (bytes.count + Self.unit - 1) / Self.unit))
        for _ in 0..<cost { slots.wait() }
        queue.async { [self] in
            hasher.update(data: bytes)
            for _ in 0..<cost { slots.signal() }
        }
    }

    /// Waits for every queued chunk and returns the digest.
    func finalize() -> SHA256.Digest {
        queue.sync { hasher.finalize() }
    }

    /// Waits for every queued chunk and returns the state so far, to be resumed later.
    func snapshot() -> SHA256 {
        queue.sync { hasher }
    }
}
