import DocIntake
import Foundation
import Testing

/// The applicant web form in a real browser: headless Chromium, driven by Selenium
/// (Browser/form_browser.py with the upload API blocked, so through the multipart fallback;
/// Browser/tus_browser.py for the resumable uploads), against the real `docintake` binary, which
/// must find its web assets beside itself. CI installs Chromium and chromedriver; a missing
/// browser fails here.
@Suite struct BrowserTests {
    @Test func anApplicantAppliesSeesErrorsInPlaceAndAnswersAReturn() async throws {
        // A cap other than the default, which the page must learn from the server; the generated
        // 8 MiB upload (for the progress bar) stays under it.
        let maxFileSize = 12 * 1024 * 1024
        let server = try await ServerProcess(arguments: ["--max-file-size", "\(maxFileSize)"])
        defer { server.stop() }
        let reviewerToken = try await ReviewerAdmin(metadata: try Stores(dataDirectory: server.dataDirectory).metadata).add(name: "browser-check")
        try await Self.fillInTheForm(at: server.baseURL, reviewerToken: reviewerToken, maxFileSize: maxFileSize)
    }

    /// Browser/form_browser.py's journey (apply, errors in place, a return answered) against `baseURL`.
    static func fillInTheForm(at baseURL: String, reviewerToken: String, maxFileSize: Int) async throws {
        let screenshots = NSTemporaryDirectory() + "docintake-browser-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        print("BrowserTests: screenshots in \(screenshots)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", OpenAPITests.root.appendingPathComponent("Tests/DocIntakeTests/Browser/form_browser.py").path,
            baseURL, Fixtures.uploads, reviewerToken, screenshots, "\(maxFileSize)",
        ]
        let output = Pipe()
        // stderr to a file: the driver's chatter must not fill a pipe nobody reads yet.
        let logPath = screenshots + "/form_browser.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try process.run()
        let data = try await offPool {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return data
        }
        let log = (try? Data(contentsOf: URL(fileURLWithPath: logPath))) ?? Data()
        let summary = try #require(
            try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            "form_browser.py printed no summary (is chromium installed?): \(String(decoding: data + log, as: UTF8.self).suffix(3000))")
        #expect((summary["failures"] as? [String] ?? ["missing"]).isEmpty, "\(summary["failures"] ?? "")")
        #expect((summary["passed"] as? Int ?? 0) >= 50)
        let measured = summary["measured"] as? [String: Any] ?? [:]
        #expect((measured["progress_partial_samples"] as? Int ?? 0) >= 2, "the progress bar was seen between 0 and 100%")
        let pictures = (try FileManager.default.contentsOfDirectory(atPath: screenshots)).filter { $0.hasSuffix(".png") }
        #expect(pictures.count >= 8, "screenshots: \(pictures.sorted())")
        #expect(process.terminationStatus == 0)
        print("BrowserTests: \(summary["passed"] ?? 0) checks passed; progress \(measured)")
    }

    /// Each chosen file goes by tus at once: over a line cut mid-upload (DevTools offline) it waits,
    /// then resumes from the server's offset and 送信 names it; after a reload the same file
    /// resumes; a disguised file is refused at its first PATCH with the server's words at its field;
    /// the status page's replacement of a returned application's document resumes after a cut too.
    @Test func theFormUploadsEachFileByTusAndResumesAfterACutOrAReload() async throws {
        let server = try await ServerProcess()
        defer { server.stop() }
        let reviewerToken = try await ReviewerAdmin(metadata: try Stores(dataDirectory: server.dataDirectory).metadata).add(name: "browser-check")
        try await Self.uploadByTus(at: server.baseURL, metricsURLs: [server.metricsURL], reviewerToken: reviewerToken)
    }

    /// `tus_browser.py` against the form at `baseURL`, whose servers count the bytes they read at
    /// `metricsURLs`; `reviewerToken` returns an application for the status page's replacement.
    static func uploadByTus(at baseURL: String, metricsURLs: [String], reviewerToken: String) async throws {
        let screenshots = NSTemporaryDirectory() + "docintake-tus-browser-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: screenshots) }
        let script = OpenAPITests.root.appendingPathComponent("Tests/DocIntakeTests/Browser/tus_browser.py").path
        let (data, status) = try await PythonScript.run([
            script, baseURL, metricsURLs.joined(separator: ","), Fixtures.uploads, screenshots, reviewerToken,
        ])
        let summary = try #require(
            try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            "tus_browser.py printed no summary: \(String(decoding: data, as: UTF8.self).suffix(3000))")
        #expect((summary["failures"] as? [String] ?? ["missing"]).isEmpty, "\(summary["failures"] ?? "")")
        #expect((summary["passed"] as? Int ?? 0) >= 30)
        // Integer figures only: the page's figures also hold axe-core's passes per screen.
        let measured = (summary["measured"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
        #expect(
            (measured["cut_offset"] ?? 0) > 0 && (measured["reload_offset"] ?? 0) > 0 && (measured["replacement_resumed_from"] ?? 0) > 0,
            "every resume started past 0: \(measured)")
        #expect(status == 0)
        print("BrowserTests: tus \(summary["passed"] ?? 0) checks passed; \(measured)")
    }

    /// Chromium resends a request refused with 408 on a connection it reused, twice, silently
    /// (issue 14: the bar stood at 57 % for 17 s). Uploading after loading the form, over a link
    /// too slow for the server's minimum rate, must be refused once, and logged as what it was.
    @Test func anUploadRefusedAsTooSlowIsNotSentAgainByTheBrowser() async throws {
        let server = try await ServerProcess(arguments: ["--min-upload-rate", "65536", "--rate-window", "2s"])
        defer { server.stop() }
        let summary = try await PythonScript.json(
            OpenAPITests.root.appendingPathComponent("Tests/DocIntakeTests/Browser/retry_browser.py").path, [server.baseURL, server.metricsURL],
            as: [String: any Sendable].self)
        #expect(summary["status"] as? Int == 408, "the page sees the refusal: \(summary)")
        #expect(summary["refusals"] as? Int == 1, "the server refused the upload once, not once per resend: \(summary)")
        let log = try server.log()
        #expect(log.contains("upload too slow: "), "logged as what it was")
        #expect(!log.contains("connection limit reached"))
    }
}
