/// The bounds a connection is held to, so that a slow or abusive client ends in a 4xx or a close
/// within bounded time and memory while everyone else keeps being served.
public struct ConnectionLimits: Sendable, Equatable {
    /// From accepting a connection, or finishing the previous response on it, to a complete
    /// request head; over it the connection is closed (slowloris, and idle keep-alive connections).
    public var headerTimeout: Duration
    /// The longest a request body may go without a byte arriving; over it: 408 `upload_stalled`.
    public var idleTimeout: Duration
    /// The longest a whole request body may take; over it: 408 `upload_timeout`.
    public var uploadTimeout: Duration
    /// The least a body must carry per `rateWindow`, in bytes per second (0: no minimum); under
    /// it: 408 `upload_too_slow`. Stops a client that trickles a byte before each idle timeout.
    public var minUploadBytesPerSecond: Int
    /// The window the minimum rate is measured over.
    public var rateWindow: Duration
    /// Uploads received at once; the next gets 503 `too_many_uploads` with `Retry-After`.
    public var maxConcurrentUploads: Int
    /// After a refusal the server keeps reading and discarding what the client still sends for at
    /// most this long, then closes: closing on unread bytes makes the kernel send a TCP reset,
    /// which can destroy the response before the client reads it.
    public var lingerTime: Duration
    /// ...and at most this many bytes: enough for what sits in the socket buffers when the client
    /// learns of the refusal (loopback and LAN buffers hold several MiB; with 1 MiB, 48 of 60
    /// lingering closes after early refusals hit the bound and one curl in 20 saw a reset).
    public var lingerBytes: Int

    /// Defaults for clinics on slow lines: 10 s for a head, 60 s of silence, 1 h for a whole
    /// upload (two 100 MiB documents at 60 KB/s), at least 1 KiB/s over 30 s, 32 uploads at once,
    /// 2 s / 4 MiB of lingering.
    public init(
        headerTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60),
        uploadTimeout: Duration = .seconds(3600), minUploadBytesPerSecond: Int = 1024,
        rateWindow: Duration = .seconds(30), maxConcurrentUploads: Int = 32,
        lingerTime: Duration = .seconds(2), lingerBytes: Int = 4 * 1024 * 1024
    ) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.uploadTimeout = uploadTimeout
        self.minUploadBytesPerSecond = minUploadBytesPerSecond
        self.rateWindow = rateWindow
        self.maxConcurrentUploads = maxConcurrentUploads
        self.lingerTime = lingerTime
        self.lingerBytes = lingerBytes
    }
}
