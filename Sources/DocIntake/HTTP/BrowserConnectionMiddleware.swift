import Hummingbird

/// Closes the connection after every response to what browsers ask for: the pages, their assets
/// and the applicant's API. Chromium resends a request that got 408 on a connection it had reused
/// (up to twice, without a word to the user), so an upload refused as stalled or too slow would be
/// uploaded again. On a fresh connection it is not: each upload therefore starts on one. The
/// reviewers' API, `/healthz` and `/metrics` keep their connections.
struct BrowserConnectionMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if Self.servesBrowsers(request.uri.path) { response.headers[.connection] = "close" }
        return response
    }

    static func servesBrowsers(_ path: String) -> Bool {
        !(path == "/healthz" || path == "/metrics" || path.hasPrefix("/api/v1/review/"))
    }
}
