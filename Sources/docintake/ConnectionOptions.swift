import ArgumentParser
import DocIntake

/// `docintake serve`'s bounds on slow and abusive clients (see `ConnectionLimits`).
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Longest wait for a complete request head, e.g. 10s. Env: DOCINTAKE_HEADER_TIMEOUT")
    var headerTimeout: String = Environment.value("DOCINTAKE_HEADER_TIMEOUT") ?? "10s"

    @Option(help: "Longest silence inside a request body before 408. Env: DOCINTAKE_IDLE_TIMEOUT")
    var idleTimeout: String = Environment.value("DOCINTAKE_IDLE_TIMEOUT") ?? "60s"

    @Option(help: "Longest a whole upload may take before 408. Env: DOCINTAKE_UPLOAD_TIMEOUT")
    var uploadTimeout: String = Environment.value("DOCINTAKE_UPLOAD_TIMEOUT") ?? "1h"

    @Option(help: "Least bytes per second an upload must keep over each rate window (0: no minimum). Env: DOCINTAKE_MIN_UPLOAD_RATE")
    var minUploadRate: Int = Environment.value("DOCINTAKE_MIN_UPLOAD_RATE").flatMap { Int($0) } ?? 1024

    @Option(help: "The window the minimum upload rate is measured over. Env: DOCINTAKE_RATE_WINDOW")
    var rateWindow: String = Environment.value("DOCINTAKE_RATE_WINDOW") ?? "30s"

    @Option(help: "Uploads received at once; more get 503. Env: DOCINTAKE_MAX_CONCURRENT_UPLOADS")
    var maxConcurrentUploads: Int = Environment.value("DOCINTAKE_MAX_CONCURRENT_UPLOADS").flatMap { Int($0) } ?? 32

    /// The limits, or a usage error naming the first bad option.
    func limits() throws -> ConnectionLimits {
        func duration(_ text: String, _ flag: String) throws -> Duration {
            guard let duration = DurationText.parse(text) else { throw ValidationError("\(flag): not a duration such as 30s: \(text)") }
            return duration
        }
        guard minUploadRate >= 0 else { throw ValidationError("--min-upload-rate must not be negative") }
        guard maxConcurrentUploads > 0 else { throw ValidationError("--max-concurrent-uploads must be positive") }
        return ConnectionLimits(
            headerTimeout: try duration(headerTimeout, "--header-timeout"), idleTimeout: try duration(idleTimeout, "--idle-timeout"),
            uploadTimeout: try duration(uploadTimeout, "--upload-timeout"), minUploadBytesPerSecond: minUploadRate,
            rateWindow: try duration(rateWindow, "--rate-window"), maxConcurrentUploads: maxConcurrentUploads)
    }
}
