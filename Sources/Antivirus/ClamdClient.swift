import Dispatch
import Glibc
import Synchronization

/// Talks to clamd (ClamAV's daemon) over its socket: a whole file or a stream of chunks as they
/// arrive, with INSTREAM. Each call opens its own connection, as clamd serves one command per
/// connection unless told otherwise.
public struct ClamdClient: Sendable {
    public let endpoint: ClamdEndpoint
    /// The longest wait for any one step: connecting, clamd taking a chunk, its verdict.
    public let timeout: Duration

    public init(endpoint: ClamdEndpoint, timeout: Duration = .seconds(60)) {
        self.endpoint = endpoint
        self.timeout = timeout
    }

    /// `PONG`, or why not: what a readiness check asks.
    public func ping() throws(ClamdError) {
        let socket = try ClamdSocket(endpoint, timeout: timeout)
        try socket.send(Array("zPING\0".utf8))
        let reply = try socket.readReply()
        guard reply == "PONG" else { throw .failed(reply) }
    }

    /// clamd's version and signature database, e.g. `ClamAV 1.4.6/27000/…`.
    public func version() throws(ClamdError) -> String {
        let socket = try ClamdSocket(endpoint, timeout: timeout)
        try socket.send(Array("zVERSION\0".utf8))
        return try socket.readReply()
    }

    /// Starts a stream that is fed chunks as they arrive and gives its verdict at the end.
    public func stream() throws(ClamdError) -> ClamdStream {
        try ClamdStream(socket: ClamdSocket(endpoint, timeout: timeout))
    }

    /// Scans a whole file by streaming it: clamd need not see our file system.
    public func scan(fileAt path: String) throws -> ClamdVerdict {
        guard let file = fopen(path, "rb") else { throw ClamdError.failed("cannot open \(path)") }
        defer { fclose(file) }
        let scanning = try stream()
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 { break }
            scanning.send(Array(buffer[..<count]))
        }
        scanning.finish()
        return try scanning.verdict()
    }
}

/// One INSTREAM scan in progress. The chunks go out on a thread of their own, so a clamd that is
/// slower than the network costs the upload nothing until `limit` chunks wait; then the sender
/// waits too, and memory stays bounded. clamd scans only once the stream ends, so `finish` is
/// called as soon as the last byte is queued and `verdict` as late as possible: the scan then
/// overlaps the caller's own work (the fsync, the structural checks).
public final class ClamdStream: Sendable {
    private let queue = DispatchQueue(label: "docintake.clamd-stream")
    private let slots: DispatchSemaphore
    private let failed = Atomic<Bool>(false)
    // Touched only on `queue`.
    private nonisolated(unsafe) let socket: ClamdSocket
    private nonisolated(unsafe) var outcome: Result<ClamdVerdict, ClamdError>?

    init(socket: ClamdSocket, limit: Int = 16) throws(ClamdError) {
        self.socket = socket
        slots = DispatchSemaphore(value: limit)
        try socket.send(Array("zINSTREAM\0".utf8))
    }

    /// Whether a chunk has already failed to reach clamd, so the upload can stop early.
    public var hasFailed: Bool { failed.load(ordering: .relaxed) }

    /// Queues a chunk. A stream that already failed drops it: `verdict` reports the failure.
    public func send(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            guard outcome == nil else { return }
            let length = UInt32(bytes.count)
            do throws(ClamdError) {
                try socket.send([UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)])
                try socket.send(bytes)
            } catch {
                fail(error)
            }
        }
    }

    /// Ends the stream: clamd starts scanning what it holds.
    public func finish() {
        queue.async { [self] in
            guard outcome == nil else { return }
            do throws(ClamdError) {
                try socket.send([0, 0, 0, 0])
                outcome = .success(try ClamdVerdict.parse(try socket.readReply()))
            } catch {
                fail(error)
            }
            socket.disconnect()
        }
    }

    /// Waits for clamd's verdict; `finish` must have been called.
    public func verdict() throws(ClamdError) -> ClamdVerdict {
        try queue.sync { outcome ?? .failure(.failed("the stream was not finished")) }.get()
    }

    /// Abandons the scan (the upload was refused for another reason).
    public func cancel() {
        queue.async { [self] in
            if outcome == nil { outcome = .failure(.failed("cancelled")) }
            socket.disconnect()
        }
    }

    /// Runs on `queue`. clamd answers a stream over its limit, then hangs up: its reply says why.
    private func fail(_ error: ClamdError) {
        failed.store(true, ordering: .relaxed)
        if case .failed = error, let reply = try? socket.readReply(), !reply.isEmpty {
            outcome = Result { () throws(ClamdError) in try ClamdVerdict.parse(reply) }
        } else {
            outcome = .failure(error)
        }
        socket.disconnect()
    }
}
