import Crypto
import Dispatch

/// SHA-256 of an upload, computed on its own thread while the caller goes on writing the bytes.
///
/// Hashing is the largest share of an upload's CPU time; on the request's thread it made writing and
/// hashing take turns. Here they overlap, and `limit` bounds the chunks waiting, so a hasher that
/// falls behind slows the writer down instead of buffering the upload in memory.
final class BackgroundHasher: @unchecked Sendable {
    private let queue = DispatchQueue(label: "docintake.blob-hasher")
    private let slots: DispatchSemaphore
    // Touched only on `queue`.
    private var hasher = SHA256()

    /// `limit` chunks may wait; uploads arrive in network-sized chunks of at most 64 KiB.
    /// `resuming` continues a hash over bytes already seen (a resumable upload's earlier requests).
    init(limit: Int = 16, resuming state: SHA256 = SHA256()) {
        slots = DispatchSemaphore(value: limit)
        hasher = state
    }

    /// Queues a chunk; blocks only while `limit` chunks are already waiting.
    func update(_ bytes: [UInt8]) {
        slots.wait()
        queue.async { [self] in
            hasher.update(data: bytes)
            slots.signal()
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
