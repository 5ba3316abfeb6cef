import Backpressure
import Dispatch
import Synchronization

/// A ``ZIPStreamInspector`` run on its own serial queue beside an arriving upload, so inflating
/// (hundreds of milliseconds for a large workbook) never holds one of the few threads that serve requests.
///
/// At most `limit` gathered pieces wait for the queue; past that ``append(_:)`` suspends (it does not
/// block), so an inflater that falls behind slows the upload instead of buffering it in memory:
/// memory stays at one inflate window plus `limit` × ``chunkSize``.
public final class ZIPStreamCheck: Sendable {
    static let chunkSize = 64 * 1024

    private let queue = DispatchQueue(label: "docintake.zip-stream")
    private let slots: AsyncSlots
    /// Set on `queue` once the inspector records nothing more, so the rest of the upload is not queued.
    private let stopped = Atomic<Bool>(false)
    // Touched only by the one task feeding the check.
    private nonisolated(unsafe) var pending: [UInt8] = []
    // Touched only on `queue`.
    private nonisolated(unsafe) var inspector: ZIPStreamInspector?

    /// A check with `scanner`'s limits; feed it the file from its first byte.
    public init(scanner: DocumentScanner, limit: Int = 4) {
        slots = AsyncSlots(limit)
        inspector = scanner.zipStreamInspector()
    }

    /// The next bytes of the file.
    public func append(_ bytes: some Collection<UInt8>) async {
        guard !stopped.load(ordering: .relaxed) else { return }
        pending.append(contentsOf: bytes)
        if pending.count >= Self.chunkSize { await flush() }
    }

    /// After the file's last byte: waits for everything queued, then returns what was recorded.
    public func finish() async -> ZIPStreamReport {
        await flush()
        return await withCheckedContinuation { continuation in
            queue.async { [self] in
                continuation.resume(returning: inspector?.finish() ?? ZIPStreamReport())
                inspector = nil
            }
        }
    }

    /// Abandons the check (the upload was refused): queued pieces are dropped unread.
    public func cancel() {
        stopped.store(true, ordering: .relaxed)
        queue.async { [self] in inspector = nil }
    }

    private func flush() async {
        guard !pending.isEmpty, !stopped.load(ordering: .relaxed) else { return }
        let chunk = pending
        pending.removeAll(keepingCapacity: true)
        await slots.acquire()
        queue.async { [self] in
            defer { slots.release() }
            guard !stopped.load(ordering: .relaxed), inspector != nil else { return }
            inspector?.append(chunk)
            if inspector?.hasStopped == true { stopped.store(true, ordering: .relaxed) }
        }
    }
}
