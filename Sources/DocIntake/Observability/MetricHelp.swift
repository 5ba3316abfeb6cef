import Foundation

/// The `# HELP` line of every metric. swift-metrics has no place for a description (the
/// Prometheus factory registers each metric with an empty one), so the exposition is annotated
/// on its way out: a `# HELP` line before each `# TYPE` line.
enum MetricHelp {
    static let texts: [String: String] = [
        "docintake_documents_total": "Uploaded documents by outcome (accepted, rejected) and, for rejections, the reason.",
        "docintake_upload_bytes_received_total": "Request body bytes received by the upload routes.",
        "docintake_upload_answer_after_last_byte_seconds":
            "Time from the last chunk of an accepted form or replacement body to its answer (fsync, checks, commit), in seconds.",
        "docintake_uploads_total": "Resumable uploads (/api/v1/uploads) by event: created, accepted, used, terminated, expired (swept).",
        "docintake_blob_store_bytes": "Bytes held by the blob store, as the metadata counts them.",
        "docintake_download_integrity_failures_total": "Document downloads refused or aborted because the blob failed its SHA-256 check.",
        "docintake_connection_refusals_total": "Requests refused for the way the client sent them (deadlines, rate, limits), by reason.",
        "docintake_lingering_closes_total": "Connections closed after an early answer, by what ended the lingering close.",
        "docintake_notices_total": "Notice (email) delivery attempts by kind and outcome.",
        "docintake_antivirus_found_total": "Documents clamd found malware in (on intake or by a rescan), by signature name.",
        "docintake_documents_quarantined_total": "Stored documents quarantined because a rescan with newer signatures found malware in them.",
        "hb_requests": "HTTP requests answered, by endpoint, method and status.",
        "hb_request_errors": "HTTP requests that ended in an error, by endpoint, method and error.",
        "http_server_request_duration": "Time to answer an HTTP request, in seconds, by endpoint, method and status.",
        "http_server_active_requests": "HTTP requests being answered now, by method.",
    ]

    /// The maintenance jobs' gauges (``JobRunMetrics``): named after the job and the count.
    static func text(for name: String) -> String? {
        if let text = texts[name] { return text }
        for job in JobRunMetrics.jobs where name.hasPrefix("docintake_\(job)_") {
            let count = name.dropFirst("docintake_\(job)_".count)
            switch count {
            case "last_run_timestamp_seconds": return "When the last \(job) run finished, in Unix seconds."
            case "last_run_success": return "1 when the last \(job) run succeeded, else 0."
            default: return "The last \(job) run's count of \(count.replacingOccurrences(of: "_", with: " "))."
            }
        }
        return nil
    }

    /// The exposition with a `# HELP` line before each `# TYPE` line that has none. A metric
    /// without a text here gets none (a test names it).
    static func annotate(_ exposition: String) -> String {
        var out = ""
        out.reserveCapacity(exposition.utf8.count + 4096)
        var previous: Substring = ""
        for line in exposition.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), !previous.hasPrefix("# HELP "),
                let name = line.dropFirst(7).split(separator: " ").first, let text = text(for: String(name))
            {
                out += "# HELP \(name) \(text)\n"
            }
            out += line
            out += "\n"
            previous = line
        }
        out.removeLast()
        return out
    }
}
