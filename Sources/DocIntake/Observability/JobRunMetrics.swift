import Foundation
import Metrics
import Storage

/// The last result of each maintenance job as gauges, `docintake_<job>_<count>` plus
/// `docintake_<job>_last_run_timestamp_seconds` and `docintake_<job>_last_run_success`.
///
/// A job run from the command line records its counts in the database (`job_runs`); the server
/// reads the latest record of each job when scraped, so its `/metrics` shows the last result
/// whichever process produced it.
enum JobRunMetrics {
    static let jobs = ["retention", "scrub", "rescan"]

    static func encode(_ counts: [String: Double]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(counts)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Sets the job's gauges from one recorded run.
    static func export(_ run: JobRunRecord) {
        let counts = (try? JSONDecoder().decode([String: Double].self, from: Data(run.summary.utf8))) ?? [:]
        for (name, value) in counts {
            Gauge(label: "docintake_\(run.job)_\(name)").record(value)
        }
        Gauge(label: "docintake_\(run.job)_last_run_timestamp_seconds").record(run.finishedAt.timeIntervalSince1970)
        Gauge(label: "docintake_\(run.job)_last_run_success").record(run.outcome == "ok" ? 1 : 0)
    }

    /// Exports the latest recorded run of each job (a small read; the counts are a few numbers).
    static func refresh(from metadata: any MetadataStore) async {
        for job in jobs {
            if let run = try? await metadata.lastJobRun(job: job) { export(run) }
        }
    }
}
