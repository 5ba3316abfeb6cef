import Foundation
import Testing

@testable import DocIntake

/// What the operator sees: metrics on their own listener, each with its `# HELP`, and logs that
/// carry no query string, as text or JSON lines.
@Suite struct OperationsTests {
    @Test func metricsAreServedOnTheirOwnListenerEachWithHelpAndNotOnThePublicPort() async throws {
        try await TestServer.with { server in
            // Accepted and refused uploads, a download and a scrub put every kind of metric in play.
            let created = try await server.submitWorkplaceClinic()
            #expect(created.status == 201)
            _ = try await Curl.run(
                ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                    "-F", "opening_notification=@\(Fixtures.path("photo.jpg"));filename=invoice.pdf", server.baseURL + "/api/v1/applications",
                ])
            let stores = try await server.stores()
            _ = try await ScrubJob(blobs: stores.blobs, metadata: stores.metadata).run(by: .person("tester"))

            let publicPort = try await Curl.run([server.baseURL + "/metrics"])
            #expect(publicPort.status == 404)
            let metrics = try await Curl.run([server.metricsURL])
            #expect(metrics.status == 200)
            let lines = metrics.text.split(separator: "\n").map(String.init)
            let typed = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
            #expect(typed.contains("docintake_documents_total"))
            #expect(typed.contains("docintake_scrub_blobs_checked"))
            #expect(typed.contains("hb_requests"))
            // The accepted upload was timed from its last chunk: the timer is created only then. (The registry is
            // the test process's, shared with suites running at the same time, so its counts are not this test's.)
            #expect(typed.contains("docintake_upload_answer_after_last_byte_seconds"))
            for (index, line) in lines.enumerated() where line.hasPrefix("# TYPE ") {
                let name = line.split(separator: " ")[2]
                let help = index > 0 ? lines[index - 1] : ""
                #expect(help.hasPrefix("# HELP \(name) ") && help.count > "# HELP \(name) ".count + 10, "no # HELP for \(name)")
            }
        }
    }

    @Test func requestLogsCarryThePathWithoutItsQueryString() async throws {
        let server = try await ServerProcess()
        _ = try await Curl.run([server.baseURL + "/?secret_number=9876"])
        _ = try await Curl.run([server.baseURL + "/api/v1/applications/app_x?access_token=tok_leakcheck"])
        let log = try server.log()
        #expect(log.contains("path=/api/v1/applications/app_x"), "\(log)")
        #expect(!log.contains("9876"))
        #expect(!log.contains("tok_leakcheck"))
    }

    @Test func jsonLogsAreOneObjectPerLine() async throws {
        let server = try await ServerProcess(arguments: ["--log-format", "json"])
        _ = try await Curl.run([server.baseURL + "/healthz?access_token=tok_leakcheck"])
        try await Task.sleep(for: .milliseconds(200))
        let lines = try server.log().split(separator: "\n")
        #expect(lines.count >= 3)
        var requests: [[String: Any]] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            #expect(object["level"] is String && object["message"] is String && object["timestamp"] is String, "\(line)")
            if object["message"] as? String == "request" { requests.append(object) }
        }
        #expect(requests.first?["path"] as? String == "/healthz")
        #expect(requests.first?["method"] as? String == "GET")
        let log = try server.log()
        #expect(!log.contains("tok_leakcheck"))
    }

    @Test func theClientAddressComesFromXForwardedForOnlyFromATrustedProxy() async throws {
        let forwarded = ["-H", "X-Forwarded-For: 198.51.100.9, 203.0.113.7"]
        let trusting = try await ServerProcess(arguments: ["--trusted-proxy", "127.0.0.1"])
        _ = try await Curl.run(forwarded + [trusting.baseURL + "/healthz"])
        let trustingLog = try trusting.log()
        #expect(trustingLog.contains("client=203.0.113.7"), "\(trustingLog)")

        let untrusting = try await ServerProcess(arguments: ["--trusted-proxy", "192.0.2.1"])
        _ = try await Curl.run(forwarded + [untrusting.baseURL + "/healthz"])
        let untrustingLog = try untrusting.log()
        #expect(untrustingLog.contains("client=127.0.0.1"))
        #expect(!untrustingLog.contains("203.0.113.7"))
    }

    @Test func bothHTMLFormsPostSoNoSecretEndsUpInAURL() async throws {
        try await TestServer.with { server in
            for page in ["/", "/applications/app_x"] {
                let html = try await Curl.run([server.baseURL + page]).text
                let forms = html.components(separatedBy: "<form").dropFirst().map { $0.prefix { $0 != ">" } }
                #expect(!forms.isEmpty, "\(page)")
                for form in forms {
                    #expect(form.contains("method=\"post\""), "\(page): <form\(form)>")
                }
            }
        }
    }
}
