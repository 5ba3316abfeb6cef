import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// One info line per request: method, path and client address. The path goes without its query
/// string, which may carry a secret (`?secret_number=…` from a form sent by GET, `?access_token=…`),
/// and without a resumable upload's id, which is that upload's secret.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = DocIntakeRequestContext

    /// Peers whose `X-Forwarded-For` is believed (the reverse proxy in front).
    let trustedProxies: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(Self.loggedPath(request.uri.path)),
                "client": .string(
                    Self.clientAddress(
                        peer: context.channel.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor],
                        trustedProxies: trustedProxies)),
            ])
        return try await next(request, context)
    }

    /// `path` with a resumable upload's id (`/api/v1/uploads/<id>…`) masked.
    static func loggedPath(_ path: String) -> String {
        let prefix = "/api/v1/uploads/"
        guard path.hasPrefix(prefix), path.count > prefix.count else { return path }
        let rest = path.dropFirst(prefix.count)
        return prefix + "****" + (rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "")
    }

    /// The client's address: the connection's peer, unless that peer is a trusted proxy; then the
    /// address that proxy appended to `X-Forwarded-For` (the last one: anything before it came
    /// from the client and proves nothing).
    static func clientAddress(peer: String?, forwardedFor: [String], trustedProxies: Set<String>) -> String {
        guard let peer else { return "?" }
        guard trustedProxies.contains(peer),
            let last = forwardedFor.last?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        else { return peer }
        return last
    }
}

extension HTTPField.Name {
    /// De-facto standard, set by nginx's `proxy_add_x_forwarded_for`.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
