import AsyncHTTPClient
import NIOCore

/// The real transport: AsyncHTTPClient, configured for a tool that carries a bearer token.
public struct HTTPTransport: ReviewTransport {
    private let client: HTTPClient

    /// A client that follows no redirects (a redirect could carry the token to another host) and
    /// does not decompress (the digest describes the bytes as stored).
    public init() {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        // `read` bounds silence between body chunks, so a stalled download fails instead of hanging.
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        // A person is waiting: a refused connection should say so now, not after ten seconds of
        // silent retries. Running the command again is the retry.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends `request` over the network.
    public func execute(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> HTTPClientResponse {
        try await client.execute(request, timeout: timeout)
    }

    /// Closes the connections. Call it once, when done.
    public func shutdown() async {
        try? await client.shutdown()
    }
}
