import Foundation
import Testing

/// Slow and abusive clients against the real binary, started with short deadlines: each attack
/// must end in a 4xx or a close within a bound (generous for a loaded 2-core machine: the bound
/// says "it ends", not how fast), the server's memory must stay bounded, its temp files must be
/// gone, and a concurrent `GET /healthz` loop must keep being answered. The attacks and the
/// healthz loop are `bench/abuse.py`, which also produced docs/robustness.md.
@Suite(.serialized) struct AbusiveClientTests {
    static let script: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("bench/abuse.py").path
    }()

    /// 2 s deadlines, a 1 MiB document cap, 4 uploads at once.
    static let serverArguments = [
        "--header-timeout", "2s", "--idle-timeout", "2s", "--upload-timeout", "20s", "--min-upload-rate", "0",
        "--max-concurrent-uploads", "4", "--max-file-size", "\(1024 * 1024)",
    ]

    /// Runs one attack against a fresh server; returns the script's JSON for it.
    static func attack(_ name: String, arguments: [String] = serverArguments) async throws -> (result: [String: any Sendable], idleKiB: Int) {
        let server = try await ServerProcess(arguments: arguments)
        // Warm the code paths once so the idle figure includes them.
        _ = try await Curl.run(ApplicationFields.curlArguments(ApplicationFields.medical) + [server.baseURL + "/api/v1/applications"])
        let idle = try server.memory("VmRSS")
        let output = try await Program.run(
            "/usr/bin/env",
            [
                "python3", script, "--port", "\(server.port)", "--data-dir", server.dataDirectory,
                "--pid", "\(server.process.processIdentifier)", "--max-uploads", "4", "--wait", "60", "--attack", name,
            ])
        #expect(output.status == 0, "\(output.stderr)")
        let line = try #require(output.stdout.split(separator: "\n").last, "no output: \(output.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: any Sendable])
        // Still serving after the attack.
        #expect(try await Curl.run([server.baseURL + "/healthz"]).status == 200)
        return (json, idle)
    }

    /// What every attack must show: it ended within `bound` seconds, memory stayed within 64 MiB
    /// of idle, no temp file is left, and healthz was answered throughout, never failing.
    static func expectBounded(
        _ run: (result: [String: any Sendable], idleKiB: Int), within bound: Double,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let result = run.result
        let seconds = result["seconds"] as? Double
        #expect(seconds != nil, "did not end: \(result)", sourceLocation: sourceLocation)
        #expect((seconds ?? .infinity) < bound, "took \(seconds ?? -1) s: \(result)", sourceLocation: sourceLocation)
        #expect(result["temp_files_after"] as? Int == 0, "\(result)", sourceLocation: sourceLocation)
        let peak = result["rss_peak_kib"] as? Int ?? .max
        #expect(peak - run.idleKiB < 64 * 1024, "RSS \(peak) KiB vs idle \(run.idleKiB) KiB", sourceLocation: sourceLocation)
        let health = result["healthz"] as? [String: any Sendable] ?? [:]
        #expect((health["n"] as? Int ?? 0) > 0, "healthz never answered: \(result)", sourceLocation: sourceLocation)
        #expect(health["failures"] as? Int == 0, "healthz failed: \(health)", sourceLocation: sourceLocation)
        // Its latency is a figure for docs/robustness.md (bench/abuse.py), not a test.
    }

    @Test func fiftySlowlorisConnectionsAreClosedAtTheHeaderDeadline() async throws {
        let run = try await Self.attack("slowloris")
        #expect(run.result["closed"] as? Int == 50, "\(run.result)")
        Self.expectBounded(run, within: 15)
    }

    @Test func aStalledBodyGets408AndItsTempFileIsRemoved() async throws {
        let run = try await Self.attack("stalled-body")
        #expect(run.result["temp_files_while_stalled"] as? Int == 1, "the upload should hold a temp file while stalled: \(run.result)")
        #expect(run.result["status"] as? Int == 408 && run.result["code"] as? String == "upload_stalled", "\(run.result)")
        Self.expectBounded(run, within: 15)
    }

    /// Each malformed or oversized request: the attack's name in bench/abuse.py, the status it
    /// must end with, and the problem code where the answer carries one.
    static let refusals: [(attack: String, status: Int, code: String?)] = [
        ("tiny-parts", 400, "malformed_multipart"),  // 100,000 tiny parts
        ("huge-header-line", 400, nil),  // a 1 MiB header line
        ("missing-closing-boundary", 400, "malformed_multipart"),
        ("content-length-short", 400, nil),  // Content-Length below the body
        ("content-length-long", 408, "upload_stalled"),  // above it: ends at the idle timeout
        ("chunked-oversize", 413, nil),
        ("boundary-never-appears", 400, "malformed_multipart"),
    ]

    @Test(arguments: refusals)
    func aMalformedOrOversizeRequestIsRefused(_ refusal: (attack: String, status: Int, code: String?)) async throws {
        let run = try await Self.attack(refusal.attack)
        #expect(run.result["status"] as? Int == refusal.status, "\(run.result)")
        if let code = refusal.code {
            #expect(run.result["code"] as? String == code, "\(run.result)")
        }
        Self.expectBounded(run, within: 15)
    }

    @Test func uploadsPastTheCapGet503WithRetryAfter() async throws {
        let run = try await Self.attack("too-many-uploads")
        #expect(run.result["status"] as? Int == 503 && run.result["code"] as? String == "too_many_uploads", "\(run.result)")
        #expect(run.result["retry_after"] as? String == "5")
        Self.expectBounded(run, within: 15)
    }

    @Test func curlSeesEveryEarlyRefusalInsteadOfAReset() async throws {
        let run = try await Self.attack("early-refusals")
        #expect(run.result["seen"] as? Int == 20, "curl saw \(run.result["statuses"] ?? "?")")
        Self.expectBounded(run, within: 30)
    }

    @Test func aBodyUnderTheMinimumRateGets408() async throws {
        // A trickle that never goes silent for the idle timeout, but carries under 1 KiB/s.
        let server = try await ServerProcess(arguments: [
            "--idle-timeout", "5s", "--min-upload-rate", "1024", "--rate-window", "2s",
        ])
        let result = try await RawClient.run(["trickle", "\(server.port)", "200"])
        #expect(result["status"] as? Int == 408, "\(result)")
        #expect((result["body"] as? String ?? "").contains("upload_too_slow"), "\(result)")
        #expect((result["seconds"] as? Double ?? .infinity) < 15, "\(result)")
        try await Self.expectNoTempFiles(server)
        #expect(try server.log().contains("reason=upload_too_slow"), "each refusal is logged")
        let metrics = try await Curl.run([server.metricsURL])
        #expect(metrics.text.contains("docintake_connection_refusals_total{reason=\"upload_too_slow\"} 1"), "\(metrics.text.prefix(200))")
    }

    @Test func aBodyPastTheUploadTimeoutGets408() async throws {
        let server = try await ServerProcess(arguments: ["--upload-timeout", "3s", "--min-upload-rate", "0"])
        // 200 bytes a second: never silent, never fast enough to finish 1 MiB in 3 s.
        let result = try await RawClient.run(["trickle", "\(server.port)", "200"])
        #expect(result["status"] as? Int == 408, "\(result)")
        #expect((result["body"] as? String ?? "").contains("upload_timeout"), "\(result)")
        #expect((result["seconds"] as? Double ?? .infinity) < 15, "\(result)")
        try await Self.expectNoTempFiles(server)
    }

    static func expectNoTempFiles(_ server: ServerProcess, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var left: [String] = []
        for _ in 0..<50 {
            left = try FileManager.default.contentsOfDirectory(atPath: server.dataDirectory + "/tmp")
            if left.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(left.isEmpty, "temp files left: \(left)", sourceLocation: sourceLocation)
    }
}
