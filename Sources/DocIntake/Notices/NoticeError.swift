/// Why a notice was not delivered on this attempt. Each case's description goes to the outbox
/// row's `lastError` (seen by operators); `logSummary` is what the log gets, without the
/// program's own output, which may quote the recipient.
enum NoticeError: Error, Sendable, CustomStringConvertible {
    /// The outbox row cannot be rendered (a kind or payload this version does not know).
    case unreadable(String)
    /// An address holds characters that would break the message's headers.
    case invalidAddress
    /// Writing the `.eml` file failed.
    case fileSystem(operation: String, errno: Int32)
    /// The sendmail program could not be started.
    case sendmailNotStarted(String)
    /// The sendmail program exited unsuccessfully.
    case sendmailFailed(status: Int32, output: String)
    /// The sendmail program did not finish in time and was killed.
    case sendmailTimedOut

    var description: String {
        switch self {
        case .sendmailFailed(_, let output) where !output.isEmpty: "\(logSummary): \(output)"
        default: logSummary
        }
    }

    var logSummary: String {
        switch self {
        case .unreadable(let what): "unreadable notice: \(what)"
        case .invalidAddress: "an address contains control characters"
        case .fileSystem(let operation, let errno): "\(operation) failed: errno \(errno)"
        case .sendmailNotStarted(let why): "sendmail did not start: \(why)"
        case .sendmailFailed(let status, _): "sendmail exited with status \(status)"
        case .sendmailTimedOut: "sendmail timed out"
        }
    }
}
