import Foundation

/// The real `docintake` binary running `serve` in its own process, for what an in-process
/// server cannot show: its own memory, its log output, a kill.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let dataDirectory: String
    private let ownsDataDirectory: Bool
    let logPath: String
    private(set) var port = 0
    /// The metrics listener's port (a free one: `--metrics-address 127.0.0.1:0` unless the test names another).
    private(set) var metricsPort = 0

    /// The binary `swift test` built beside the test bundle.
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("docintake").path
    }

    /// Starts a server on a fresh data directory, or on `dataDirectory`, which it then leaves in place.
    /// `environment` is all it sees besides PATH and HOME; where it sets `DOCINTAKE_DATA_DIR`,
    /// `DOCINTAKE_PORT` or `LOG_LEVEL`, the matching flag is left out so that the variable counts.
    /// `/metrics` gets a free port of its own unless `arguments` name one.
    /// Async, and waiting with `Task.sleep`: a start-up takes a second or more under load, and a
    /// blocked wait would hold one of the test process's two cooperative threads all that time.
    init(arguments: [String] = [], dataDirectory: String? = nil, environment: [String: String] = [:]) async throws {
        ownsDataDirectory = dataDirectory == nil && environment["DOCINTAKE_DATA_DIR"] == nil
        self.dataDirectory =
            environment["DOCINTAKE_DATA_DIR"] ?? dataDirectory
            ?? NSTemporaryDirectory() + "docintake-proc-" + UUID().uuidString
        logPath = NSTemporaryDirectory() + "docintake-proc-" + UUID().uuidString + ".log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        var flags = ["serve"]
        if environment["DOCINTAKE_DATA_DIR"] == nil { flags += ["--data-dir", self.dataDirectory] }
        if environment["DOCINTAKE_PORT"] == nil { flags += ["--port", "0"] }
        if environment["LOG_LEVEL"] == nil { flags += ["--log-level", "info"] }
        if !arguments.contains("--metrics-address") && environment["DOCINTAKE_METRICS_ADDRESS"] == nil {
            flags += ["--metrics-address", "127.0.0.1:0"]
        }
        process.arguments = flags + arguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
            .merging(TestBackend.environment(for: self.dataDirectory)) { $1 }.merging(environment) { $1 }
        let logFile = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = logFile
        process.standardError = logFile
        try process.run()
        try ParentWatch.start(process, directory: ownsDataDirectory ? self.dataDirectory : nil)
        for _ in 0..<100 {
            if let line = try log(matching: "port") {
                port = Self.number(after: "port", in: line)
                metricsPort =
                    try log().split(separator: "\n").first { $0.contains("metrics listening") }
                    .map { Self.number(after: "metrics_port", in: $0) } ?? 0
                let metricsOff = zip(arguments, arguments.dropFirst()).contains { $0 == ("--metrics-address", "none") }
                if port > 0 && (metricsPort > 0 || metricsOff) { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw TestFailure("docintake serve did not report its port; log: \(try log())")
    }

    /// The number logged as `key=N` (text) or `"key":"N"` (JSON); 0 when absent.
    private static func number(after key: String, in line: some StringProtocol) -> Int {
        for marker in [" \(key)=", "\"\(key)\":\"", "\"\(key)\":"] {
            if let range = line.range(of: marker) { return Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0 }
        }
        return 0
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var metricsURL: String { "http://127.0.0.1:\(metricsPort)/metrics" }

    func log() throws -> String { try String(contentsOfFile: logPath, encoding: .utf8) }

    private func log(matching needle: String) throws -> String? {
        try log().split(separator: "\n").first { $0.contains("DocIntake listening") && $0.contains(needle) }.map(String.init)
    }

    /// A field of `/proc/<pid>/status` in KiB, e.g. `VmRSS` or `VmHWM`.
    func memory(_ field: String) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
        if ownsDataDirectory { try? FileManager.default.removeItem(atPath: dataDirectory) }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
