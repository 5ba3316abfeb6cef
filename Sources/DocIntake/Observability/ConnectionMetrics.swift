import Logging
import Metrics

/// Connections and requests the server cut short to protect itself, by reason, each also logged:
/// `header_timeout`, `upload_stalled`, `upload_timeout`, `upload_too_slow`, `too_many_uploads`,
/// `incomplete_request` (the client went away mid-body).
enum ConnectionMetrics {
    static func refused(_ reason: String, logger: Logger, message: String? = nil, metadata: Logger.Metadata = [:]) {
        Counter(label: "docintake_connection_refusals_total", dimensions: [("reason", reason)]).increment()
        var metadata = metadata
        metadata["reason"] = .string(reason)
        logger.notice("\(message ?? Self.message(reason))", metadata: metadata)
    }

    /// What happened, as an operator reading the log needs it said: a timed-out upload is not a
    /// connection limit.
    static func message(_ reason: String) -> String {
        switch reason {
        case "header_timeout": "request head not complete in time; connection closed"
        case "upload_stalled": "upload stalled: no data arrived within the idle timeout"
        case "upload_timeout": "upload timed out"
        case "upload_too_slow": "upload too slow: below the minimum rate"
        case "too_many_uploads": "connection limit reached: too many uploads at once"
        case "incomplete_request": "request ended before its body did"
        default: "request refused"
        }
    }

    /// A lingering close the client did not end by closing its side: it kept sending until the
    /// `time` or `bytes` bound.
    static func lingered(endedBy: String) {
        Counter(label: "docintake_lingering_closes_total", dimensions: [("ended_by", endedBy)]).increment()
    }
}
