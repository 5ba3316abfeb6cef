import Backpressure
import Dispatch
import Synchronization

/// One INSTREAM scan in progress. Everything that touches clamd's socket (connecting included)
/// runs on the stream's own serial queue, so an upload never waits on clamd on a thread that
/// serves requests: a clamd that hangs costs the upload its timeout, and no server thread.
///
/// At most `limit` chunks wait for the queue; past that `send` suspends (it does not block), so a
/// slow clamd slows the upload instead of buffering it in memory. Small network chunks are
/// gathered to `chunkSize` first, so a client sending tiny segments does not cost a syscall each.
/// clamd scans only once the stream ends: `finish` is called as soon as the last byte is in, and
/// `verdict` as late as possible, so the scan overlaps the caller's own work.
public final class ClamdStream: Sendable {
    static let chunkSize = 256 * 1024

    private let queue = DispatchQueue(label: "docintake.clamd-stream")
    private let slots: AsyncSlots
    private let failed = Atomic<Bool>(false)
    // Touched only by the one task feeding the stream.
    private nonisolated(unsafe) var pending: [UInt8] = []
    // Touched only on `queue`.
    private nonisolated(unsafe) var socket: ClamdSocket?
    private nonisolated(unsafe) var outcome: Result<ClamdVerdict, ClamdError>?

    init(endpoint: ClamdEndpoint, timeout: Duration, limit: Int = 8) {
        slots = AsyncSlots(limit)
        queue.async { [self] in
            do throws(ClamdError) {
                let socket = try ClamdSocket(endpoint, timeout: timeout)
                self.socket = socket
                try socket.send(Array("zINSTREAM\0".utf8))
            } catch {
                fail(error)
            }
        }
    }

    /// Whether clamd has already failed this stream, so the upload can stop early.
    public var hasFailed: Bool { failed.load(ordering: .acquiring) }

    /// Adds bytes to the stream. A stream that already failed drops them: `verdict` says why.
    public func send(_ bytes: [UInt8]) async {
        pending.append(contentsOf: bytes)
        if pending.count >= Self.chunkSize { await flush() }
    }

    /// Ends the stream: clamd starts scanning what it holds.
    public func finish() async {
        await flush()
        queue.async { [self] in
            guard outcome == nil, let socket else { return }
            do throws(ClamdError) {
                try socket.send([0, 0, 0, 0])
                outcome = .success(try ClamdVerdict.parse(try socket.readReply()))
            } catch {
                fail(error)
            }
            socket.disconnect()
        }
    }

    /// clamd's verdict, once everything queued before it has run; `finish` must come first.
    public func verdict() async throws(ClamdError) -> ClamdVerdict {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<ClamdVerdict, ClamdError>, Never>) in
            queue.async { [self] in continuation.resume(returning: outcome ?? .failure(ClamdError.failed("the stream was not finished"))) }
        }
        return try result.get()
    }

    /// Abandons the scan (the upload was refused for another reason).
    public func cancel() {
        queue.async { [self] in
            if outcome == nil { outcome = .failure(.failed("cancelled")) }
            socket?.disconnect()
        }
    }

    private func flush() async {
        guard !pending.isEmpty else { return }
        let chunk = pending
        pending.removeAll(keepingCapacity: true)
        await slots.acquire()
        queue.async { [self] in
            defer { slots.release() }
            guard outcome == nil, let socket else { return }
            let length = UInt32(chunk.count)
            do throws(ClamdError) {
                try socket.send([UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)])
                try socket.send(chunk)
            } catch {
                fail(error)
            }
        }
    }

    /// Runs on `queue`. clamd answers a stream over its limit, then hangs up: its reply says why.
    private func fail(_ error: ClamdError) {
        if case .failed = error, let reply = try? socket?.readReply(), !reply.isEmpty {
            outcome = Result { () throws(ClamdError) in try ClamdVerdict.parse(reply) }
        } else {
            outcome = .failure(error)
        }
        socket?.disconnect()
        failed.store(true, ordering: .releasing)
    }
}
