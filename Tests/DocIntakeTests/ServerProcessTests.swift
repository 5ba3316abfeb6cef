import Foundation
import Testing

/// The `docintake serve` binary as an operator runs it.
@Suite(.serialized) struct ServerProcessTests {
    @Test func receivingA100MiBDocumentKeepsPeakMemoryWithin32MiBOfIdle() async throws {
        let server = try await ServerProcess()
        let directory = NSTemporaryDirectory() + "docintake-rss-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A 100 MiB PDF made at test time: header, zero padding, trailer.
        let path = directory + "/big.pdf"
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.write(contentsOf: Array("%PDF-1.4\n".utf8))
        let block = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<99 { try handle.write(contentsOf: block) }
        try handle.write(contentsOf: [UInt8](repeating: 0, count: (1 << 20) - 9 - 7))
        try handle.write(contentsOf: Array("\n%%EOF\n".utf8))
        try handle.close()

        // Warm up the code paths once with a small upload so idle includes them.
        _ = try await Curl.run(ApplicationFields.curlArguments(ApplicationFields.medical) + [server.baseURL + "/api/v1/applications"])
        let idle = try server.memory("VmRSS")
        var fields = ApplicationFields.workplaceClinic
        fields["application_kind"] = "change"
        let result = try await Curl.run(
            ApplicationFields.curlArguments(fields) + ["-F", "opening_notification=@\(path)", server.baseURL + "/api/v1/applications"])
        #expect(result.status == 201, "\(result.text)")
        let peak = try server.memory("VmHWM")
        #expect(peak - idle < 32 * 1024, "peak \(peak) KiB vs idle \(idle) KiB")
        #expect((result.json["documents"] as? [[String: Any]])?.first?["size"] as? Int == 100 * 1024 * 1024)
    }

    @Test func sigtermLetsAnUploadInFlightFinishAndLeavesNothingHalfWritten() async throws {
        let server = try await ServerProcess()
        let directory = NSTemporaryDirectory() + "docintake-term-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/notice.pdf"
        try Data(Array("%PDF-1.4\n".utf8) + [UInt8](repeating: 0, count: 8 << 20) + Array("\n%%EOF\n".utf8))
            .write(to: URL(fileURLWithPath: path))
        var fields = ApplicationFields.workplaceClinic
        fields["application_kind"] = "change"
        // About 2 s on the wire, so the signal arrives mid-upload.
        async let upload = Curl.run(
            ApplicationFields.curlArguments(fields) + [
                "--limit-rate", "4M", "-F", "opening_notification=@\(path)", server.baseURL + "/api/v1/applications",
            ])
        // In flight: its document is being staged (the temp file goes when the upload commits).
        let staging = server.dataDirectory + "/tmp"
        // Generous: it goes on as soon as the file appears, and a crowded CI minute once took 20 s.
        let deadline = ContinuousClock.now + .seconds(60)
        while try FileManager.default.contentsOfDirectory(atPath: staging).isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        try #require(
            !(try FileManager.default.contentsOfDirectory(atPath: staging)).isEmpty,
            "the upload should be in flight when the signal arrives")
        kill(server.process.processIdentifier, SIGTERM)
        let result = try await upload
        #expect(result.status == 201, "an upload in flight finishes: \(result.text)")
        try await offPool { server.process.waitUntilExit() }
        #expect(server.process.terminationStatus == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.dataDirectory + "/tmp").isEmpty)
    }

    @Test func aSecondServerOnTheSameDataDirectoryRefusesToStart() async throws {
        let first = try await ServerProcess()
        // Its start-up sweep would delete the first server's uploads in flight. It must exit at
        // once (`timeout` says 124 if it keeps running), with the lock's message: not a crash, not
        // a usage error.
        let second = try await Program.run(
            "/usr/bin/timeout",
            [
                "10", ServerProcess.binary, "serve", "--data-dir", first.dataDirectory, "--port", "0",
            ])
        #expect(second.status == 1, "exit status \(second.status): \(second.stderr)")
        #expect(second.stderr.contains("another docintake server is already using \(first.dataDirectory)"), "\(second.stderr)")
        let health = try await Curl.run([first.baseURL + "/healthz"])
        #expect(health.status == 200)
    }

    @Test func logsNeverContainTokensOrTheSecretNumber() async throws {
        let server = try await ServerProcess(arguments: ["--log-level", "trace"])
        var fields = ApplicationFields.medical
        fields["secret_number"] = "7395"
        fields["secret_number_confirmation"] = "7395"
        let result = try await Curl.run(ApplicationFields.curlArguments(fields) + [server.baseURL + "/api/v1/applications"])
        #expect(result.status == 201)
        let token = try #require(result.json["access_token"] as? String)
        let id = try #require(result.json["id"] as? String)
        _ = try await Curl.run(["-H", "Authorization: Bearer \(token)", server.baseURL + "/api/v1/applications/\(id)"])
        let log = try server.log()
        #expect(log.contains(id), "the log should show the request at all")
        #expect(!log.contains(token))
        #expect(!log.contains("7395"))
    }
}
