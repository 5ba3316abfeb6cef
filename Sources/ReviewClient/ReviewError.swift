import Foundation

/// Everything that can go wrong, each with the exit code and the message a reviewer sees. Messages
/// name the cause and what to do; they never include the token.
public enum ReviewError: Error, Sendable, Equatable {
    /// Neither `--server` nor `DOCINTAKE_SERVER` was given.
    case missingServer
    /// The server URL is not an `http` or `https` URL with a host.
    case invalidServer(String)
    /// Neither `--token` nor `DOCINTAKE_TOKEN` was given.
    case missingToken
    /// The token has characters no token has.
    case malformedToken
    /// No connection, or it broke before the response head arrived.
    case unreachable(server: String, reason: String)
    /// 401: the token is unknown or revoked.
    case unauthorized(ProblemDetails?)
    /// 403: the token is valid but not a reviewer's.
    case forbidden(ProblemDetails?, applicantToken: Bool)
    /// 404.
    case notFound(subject: String, ProblemDetails?)
    /// 409: the application is not in a state that allows this.
    case conflict(ProblemDetails?)
    /// Another error status, 422 included.
    case httpError(status: Int, ProblemDetails?)
    /// A response this client cannot make sense of.
    case invalidResponse(String)
    /// The application has no current document in the requested slot.
    case noCurrentDocument(slot: String, receiptNumber: String)
    /// A downloaded document cannot be trusted.
    case integrity(IntegrityFailure)
    /// A local file operation failed.
    case fileSystem(operation: String, path: String, errno: Int32)

    /// The process exit code for this error.
    public var exitCause: ExitCause {
        switch self {
        case .missingServer, .invalidServer, .malformedToken: .usage
        case .unreachable: .unreachable
        case .missingToken, .unauthorized, .forbidden: .authentication
        case .notFound, .conflict, .httpError, .invalidResponse, .noCurrentDocument: .serverError
        case .integrity: .integrityFailure
        case .fileSystem: .localFile
        }
    }

    /// What a reviewer reads, possibly over several lines.
    public var message: String {
        switch self {
        case .missingServer:
            return "no server: pass --server URL or set DOCINTAKE_SERVER."
        case .invalidServer(let text):
            return
                "invalid server URL \"\(TerminalText.clean(text))\": give an http:// or https:// URL with a host, e.g. https://docintake.example.jp"
        case .missingToken:
            return "no reviewer token: set DOCINTAKE_TOKEN (or pass --token). An operator creates one with `docintake reviewer add NAME`."
        case .malformedToken:
            return "the reviewer token contains characters a token cannot have (it is not shown here). Copy it again from the operator."
        case let .unreachable(server, reason):
            return """
                cannot reach the server at \(server): \(reason).
                Check --server (or DOCINTAKE_SERVER), the network, and that the DocIntake server is running.
                """
        case .unauthorized(let problem):
            return Self.withDetail(
                "the server refused the token (401): it is missing, unknown or revoked. Ask an operator for a new reviewer token.",
                problem)
        case let .forbidden(problem, applicantToken):
            let cause =
                applicantToken
                ? "this is an applicant's token (dia_…); the review API needs a reviewer token (dir_…)"
                : "this token may not use the review API; it needs a reviewer token (dir_…)"
            return Self.withDetail("access denied (403): \(cause).", problem)
        case let .notFound(subject, problem):
            return Self.withDetail("not found (404): \(TerminalText.clean(subject)).", problem)
        case .conflict(let problem):
            return Self.withDetail("conflict (409): the application's current state does not allow this.", problem)
        case let .httpError(status, problem):
            let summary = status == 422 ? "the server refused the request as invalid (422)." : "the server answered with HTTP \(status)."
            return Self.withDetail(summary, problem)
        case .invalidResponse(let what):
            return "unexpected response from the server: \(TerminalText.clean(what))."
        case let .noCurrentDocument(slot, receiptNumber):
            return "application \(TerminalText.clean(receiptNumber)) has no current document in slot \(TerminalText.clean(slot))."
        case .integrity(let failure):
            return failure.message
        case let .fileSystem(operation, path, errno):
            return "cannot \(operation) \(TerminalText.clean(path)): \(String(cString: strerror(errno)))."
        }
    }

    /// The problem+json `code` the server answered with, if any.
    public var problemCode: String? {
        switch self {
        case .unauthorized(let problem), .conflict(let problem), .forbidden(let problem, _), .notFound(_, let problem),
            .httpError(_, let problem):
            problem?.code
        default: nil
        }
    }

    private static func withDetail(_ summary: String, _ problem: ProblemDetails?) -> String {
        ([summary] + (problem?.explanation ?? []).map { "  " + $0 }).joined(separator: "\n")
    }
}
