/// The process exit codes of `docintake-review`, one per kind of cause, so that a script can tell
/// a damaged document from a bad token without parsing messages.
public enum ExitCause: Int32, Sendable, CaseIterable {
    /// Everything worked.
    case success = 0
    /// A document failed its integrity check: its SHA-256 did not match, or the transfer was cut off.
    case integrityFailure = 1
    /// The command line was wrong: a missing or malformed option or argument.
    case usage = 2
    /// The server could not be reached: connection refused, name not resolved, timeout, TLS failure.
    case unreachable = 3
    /// The server refused the token (401), or the token is not a reviewer's (403), or none was given.
    case authentication = 4
    /// The server answered with another error: not found, a state conflict, invalid input, a server
    /// error, or a response this client cannot understand.
    case serverError = 5
    /// A local file could not be read or written: the output directory, a temp file, the rename.
    case localFile = 6

    /// One line per code, for `--help`.
    public static var helpText: String {
        allCases.map { "  \($0.rawValue)  \($0.meaning)" }.joined(separator: "\n")
    }

    private var meaning: String {
        switch self {
        case .success: "success"
        case .integrityFailure: "integrity failure: SHA-256 mismatch, or the transfer was cut off"
        case .usage: "usage error: a missing or malformed option or argument"
        case .unreachable: "the server is unreachable"
        case .authentication: "no token, a bad or revoked token (401), an applicant token (403)"
        case .serverError: "not found (404), conflict (409), invalid (422), other HTTP errors"
        case .localFile: "a local file could not be written"
        }
    }
}
