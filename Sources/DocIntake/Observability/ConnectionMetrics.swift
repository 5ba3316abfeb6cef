import Logging
import Metrics

/// Connections and requests the server cut short to protect itself, by reason, each also logged:
/// `header_timeout`, `upload_stalled`, `upload_timeout`, `upload_too_slow`, `too_many_uploads`,
/// `incomplete_request` (the client went away mid-body).
enum ConnectionMetrics {
    static func refused(_ reason: String, logger: Logger, metadata: Logger.Metadata = [:]) {
        Counter(label: "docintake_connection_refusals_total", dimensions: [("reason", reason)]).increment()
        var metadata = metadata
        metadata["reason"] = .string(reason)
        logger.notice("connection limit reached", metadata: metadata)
    }

    /// A lingering close the client did not end by closing its side: it kept sending until the
    /// `time` or `bytes` bound.
    static func lingered(endedBy: String) {
        Counter(label: "docintake_lingering_closes_total", dimensions: [("ended_by", endedBy)]).increment()
    }
}
