import Antivirus
import ArgumentParser
import DocIntake

/// `--clamd` and its timeout, shared by `serve`, `identify` and `rescan`.
struct AntivirusOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "clamd's socket, unix:/PATH or tcp:HOST:PORT: every document is scanned as it arrives (none by default). Env: DOCINTAKE_CLAMD",
            discussion: "clamd.conf: StreamMaxLength above --max-file-size; MaxFileSize 1100M and MaxScanSize 1200M, above what a "
                + "workbook may unpack to; AlertExceedsMax yes (docs/antivirus.md)."))
    var clamd: String?

    @Option(help: "The longest clamd may take for any one step, e.g. 60s; then the upload gets 503. Env: DOCINTAKE_CLAMD_TIMEOUT")
    var clamdTimeout: String?

    /// The flags, else the environment: an optional option cannot take the environment as its default.
    private var endpointText: String? { clamd ?? Environment.value("DOCINTAKE_CLAMD") }
    private var timeoutText: String { clamdTimeout ?? Environment.value("DOCINTAKE_CLAMD_TIMEOUT") ?? "60s" }

    func validate() throws {
        _ = try client()
    }

    /// The configured clamd, or nil for no virus scan.
    func client() throws -> ClamdClient? {
        // Checked even without --clamd: a mistyped setting must not wait to surface until clamd is added.
        guard let timeout = DurationText.parse(timeoutText), timeout > .zero else {
            throw ValidationError("--clamd-timeout: not a duration such as 60s: \(timeoutText)")
        }
        guard let endpointText else { return nil }
        guard let endpoint = ClamdEndpoint(parsing: endpointText) else {
            throw ValidationError("--clamd: use unix:/PATH or tcp:HOST:PORT, not \(endpointText)")
        }
        return ClamdClient(endpoint: endpoint, timeout: timeout)
    }
}
