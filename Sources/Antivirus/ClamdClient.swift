import Glibc

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

    /// Starts a stream that is fed chunks as they arrive and gives its verdict at the end. It
    /// connects on its own queue: a clamd that is down shows in `hasFailed` and in `verdict`.
    public func stream() -> ClamdStream {
        ClamdStream(endpoint: endpoint, timeout: timeout)
    }

    /// Scans a whole file by streaming it: clamd need not see our file system.
    public func scan(fileAt path: String) async throws -> ClamdVerdict {
        guard let file = fopen(path, "rb") else { throw ClamdError.failed("cannot open \(path)") }
        defer { fclose(file) }
        let scanning = stream()
        var buffer = [UInt8](repeating: 0, count: ClamdStream.chunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 { break }
            await scanning.send(Array(buffer[..<count]))
        }
        await scanning.finish()
        return try await scanning.verdict()
    }
}
