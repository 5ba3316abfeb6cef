import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The review API, as one reviewer with one token sees it. Every method throws `ReviewError`.
public struct ReviewClient: Sendable {
    /// The server it talks to.
    public let server: ServerAddress
    let token: BearerToken
    let transport: any ReviewTransport

    /// How long to wait for a response head; bodies are bounded by the transport's read timeout.
    static let headTimeout: TimeAmount = .seconds(30)
    /// Error and JSON bodies are small; a larger one is not what this client asked for.
    static let maxJSONBytes = 16 * 1024 * 1024
    /// Rows per page when listing.
    static let pageSize = 50

    /// A client for `server` that authenticates with `token` over `transport`.
    public init(server: ServerAddress, token: BearerToken, transport: any ReviewTransport) {
        self.server = server
        self.token = token
        self.transport = transport
    }

    /// Runs `body` with a client on a fresh network connection pool, closed afterwards.
    public static func withClient<T: Sendable>(
        server: ServerAddress, token: BearerToken, _ body: (ReviewClient) async throws -> T
    ) async throws -> T {
        let transport = HTTPTransport()
        let client = ReviewClient(server: server, token: token, transport: transport)
        do {
            let result = try await body(client)
            await transport.shutdown()
            return result
        } catch {
            await transport.shutdown()
            throw error
        }
    }

    /// Every application with `status` (a comma-separated list, or `all`; the server's default,
    /// submitted and under review, when nil), oldest first, following the cursor to the end; or,
    /// given a `receiptNumber` (受付番号), only the application that has it, whatever its status.
    ///
    /// - Parameters:
    ///   - status: `submitted`, `under_review`, …, several separated by commas, or `all`; nil for
    ///     the server's default.
    ///   - receiptNumber: A 受付番号; when given, `status` does not narrow the answer.
    /// - Returns: Every row of every page, oldest first; a status this client does not know is kept as sent.
    /// - Throws: `ReviewError`, including `.invalidResponse` when the server repeats a page cursor.
    public func applications(status: String?, receiptNumber: String? = nil) async throws -> [ApplicationSummary] {
        var all: [ApplicationSummary] = []
        var cursor: String?
        var seen: Set<String> = []
        repeat {
            var query: [(String, String)] = [("limit", String(Self.pageSize))]
            if let status { query.append(("status", status)) }
            if let receiptNumber { query.append(("receipt_number", receiptNumber)) }
            if let cursor { query.append(("after", cursor)) }
            let page: ApplicationPage = try await json(.GET, ["applications"], query: query, subject: "the application list")
            all += page.applications
            cursor = page.nextCursor
            if let cursor, !seen.insert(cursor).inserted {
                throw ReviewError.invalidResponse("the server returned the same page cursor twice")
            }
        } while cursor != nil
        return all
    }

    /// One application with its documents and history.
    public func application(id: String) async throws -> ApplicationDetail {
        try await json(.GET, ["applications", id], subject: "application \(id)")
    }

    /// Takes an application for review: submitted → under_review.
    public func claim(id: String) async throws -> ApplicationDetail {
        try await json(.POST, ["applications", id, "claim"], subject: "application \(id)")
    }

    /// Records a decision. The server requires a reason for return and reject.
    ///
    /// - Parameters:
    ///   - id: The application's ID or its 受付番号.
    ///   - decision: Approve, return (差戻し) or reject (却下).
    ///   - reason: Shown to the applicant in the notice; required unless approving.
    /// - Returns: The application after the decision.
    public func decide(id: String, _ decision: Decision, reason: String?) async throws -> ApplicationDetail {
        struct Body: Encodable {
            let decision: Decision
            let reason: String?
        }
        let body = try JSONEncoder().encode(Body(decision: decision, reason: reason))
        return try await json(.POST, ["applications", id, "decision"], body: body, subject: "application \(id)")
    }

    /// Requests a document, from byte `offset` on when it is not zero. The response is returned
    /// whatever its status, its body still streaming; the caller decides what it means.
    /// Requests a document, from `offset` on when resuming; `version` (its SHA-256, the server's
    /// ETag) makes the server send the whole current document instead if it has changed.
    func document(id: String, slot: String, from offset: Int64, version: String) async throws -> HTTPClientResponse {
        var extra: [(String, String)] = []
        if offset > 0 {
            extra.append(("Range", "bytes=\(offset)-"))
            extra.append(("If-Range", "\"\(version)\""))
        }
        return try await send(.GET, ["applications", id, "documents", slot], accept: "*/*", headers: extra)
    }

    /// The error a non-success response stands for, with the server's problem details if it sent any.
    func error(for response: HTTPClientResponse, subject: String) async -> ReviewError {
        let problem: ProblemDetails? =
            if let data = try? await Self.collect(response, limit: 1024 * 1024) {
                try? ReviewJSON.decode(ProblemDetails.self, from: data)
            } else {
                nil
            }
        switch response.status.code {
        case 401: return .unauthorized(problem)
        case 403: return .forbidden(problem, applicantToken: token.isApplicantToken)
        case 404: return .notFound(subject: subject, problem)
        case 409: return .conflict(problem)
        case 300..<400:
            return .invalidResponse(
                "a redirect (HTTP \(response.status.code)) to \(response.headers.first(name: "Location") ?? "nowhere"); check --server")
        default: return .httpError(status: Int(response.status.code), problem)
        }
    }

    private func json<T: Decodable>(
        _ method: HTTPMethod, _ segments: [String], query: [(String, String)] = [], body: Data? = nil, subject: String
    ) async throws -> T {
        let response = try await send(method, segments, query: query, body: body)
        guard response.status == .ok else { throw await error(for: response, subject: subject) }
        let data: Data
        do {
            data = try await Self.collect(response, limit: Self.maxJSONBytes)
        } catch is NIOTooManyBytesError {
            throw ReviewError.invalidResponse("\(subject) is larger than \(Self.maxJSONBytes) bytes")
        } catch {
            throw ReviewError.unreachable(server: server.display, reason: "the connection broke while reading the response (\(Self.reason(error)))")
        }
        do {
            return try ReviewJSON.decode(T.self, from: data)
        } catch {
            throw ReviewError.invalidResponse("\(subject) is not the JSON this client expects (\(error))")
        }
    }

    private func send(
        _ method: HTTPMethod, _ segments: [String], query: [(String, String)] = [], body: Data? = nil,
        accept: String = "application/json", headers: [(String, String)] = []
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: server.reviewURL(segments, query: query))
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token.value)")
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "docintake-review")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            return try await transport.execute(request, timeout: Self.headTimeout)
        } catch {
            throw ReviewError.unreachable(server: server.display, reason: Self.reason(error))
        }
    }

    private static func collect(_ response: HTTPClientResponse, limit: Int) async throws -> Data {
        var buffer = try await response.body.collect(upTo: limit)
        return Data(buffer.readBytes(length: buffer.readableBytes) ?? [])
    }

    /// A short cause for a network error, without a type dump.
    static func reason(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "the connection timed out"
            case .deadlineExceeded: return "no response within \(headTimeout.nanoseconds / 1_000_000_000) seconds"
            case .readTimeout: return "the server stopped sending"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return String(describing: error)
            }
        }
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode))
        }
        return String(describing: error)
    }
}
