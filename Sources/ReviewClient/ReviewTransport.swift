import AsyncHTTPClient
import NIOCore

/// Sends one request and returns the response with its body still streaming. The seam between
/// the client's logic and the network, so that resuming and verifying can be tested offline.
public protocol ReviewTransport: Sendable {
    /// Sends `request`; `timeout` bounds the wait for the response head, not the body.
    func execute(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> HTTPClientResponse
}
