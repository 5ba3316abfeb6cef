import Foundation
import Testing

/// DocIntake behind Debian's nginx configured with `deploy/nginx.conf`: the body streams through,
/// so the early refusal and the memory bound hold through the proxy, and the client address is
/// the one nginx saw, believed only from a trusted proxy.
@Suite(.serialized) struct NginxProxyTests {
    @Test func aHundredMiBUploadStreamsThroughTheProxyWithFlatServerMemory() async throws {
        let server = try await ServerProcess(arguments: ["--trusted-proxy", "127.0.0.1"])
        let proxy = try NginxProxy(upstreamPort: server.port)
        let directory = NSTemporaryDirectory() + "docintake-nginx-upload-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let document = try StoreAudit.pdf(in: directory, tag: "through-nginx", size: 100 * 1024 * 1024)

        _ = try await Curl.run(ApplicationFields.curlArguments(ApplicationFields.medical) + [proxy.baseURL + "/api/v1/applications"])
        let idle = try server.memory("VmRSS")
        var fields = ApplicationFields.workplaceClinic
        fields["application_kind"] = "change"
        let result = try await Curl.run(
            ApplicationFields.curlArguments(fields) + [
                "-F", "opening_notification=@\(document.path)", proxy.baseURL + "/api/v1/applications",
            ])
        #expect(result.status == 201, "\(result.text)")
        #expect((result.json["documents"] as? [[String: Any]])?.first?["sha256"] as? String == document.sha256)
        let peak = try server.memory("VmHWM")
        #expect(peak - idle < 32 * 1024, "peak \(peak) KiB vs idle \(idle) KiB")
        // With nginx's default request buffering, it says so in its log.
        let nginxLog = try proxy.errorLog()
        #expect(!nginxLog.contains("buffered to a temporary file"), "\(nginxLog)")
    }

    @Test func aRenamedELFIsRefusedThroughTheProxyBeforeAMebibyteLeftTheClient() async throws {
        let server = try await ServerProcess(arguments: ["--trusted-proxy", "127.0.0.1"])
        let proxy = try NginxProxy(upstreamPort: server.port)
        let boundary = "----docintake-nginx-elf"
        let start =
            Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"institution_kind\"\r\n\r\nworkplace_clinic\r\n".utf8)
            + Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"opening_notification\"; filename=\"invoice.pdf\"\r\n".utf8)
            + Data("Content-Type: application/pdf\r\n\r\n".utf8) + Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00])
        let head =
            "POST /api/v1/applications HTTP/1.1\r\nHost: intake.example.jp\r\nContent-Length: \(100 * 1024 * 1024)\r\n"
            + "Content-Type: multipart/form-data; boundary=\(boundary)\r\n\r\n"
        let (status, sent) = try await RawHTTP.pacedUpload(port: proxy.port, head: head, start: start, giveUpAfter: 8 * 1024 * 1024)
        #expect(status == 415)
        #expect(sent <= 1024 * 1024, "\(sent) bytes left the client before the refusal")
    }

    @Test func theClientAddressIsTheOneNginxSawAndOnlyFromATrustedProxy() async throws {
        // curl from 127.0.0.2, claiming to be 192.0.2.66; nginx (127.0.0.1) appends what it saw.
        let spoofing = ["--interface", "127.0.0.2", "-H", "X-Forwarded-For: 192.0.2.66"]
        let trusting = try await ServerProcess(arguments: ["--trusted-proxy", "127.0.0.1"])
        let proxy = try NginxProxy(upstreamPort: trusting.port)
        let health = try await Curl.run(spoofing + [proxy.baseURL + "/healthz"])
        #expect(health.status == 200)
        let log = try trusting.log()
        #expect(log.contains("client=127.0.0.2"), "\(log)")
        #expect(!log.contains("client=192.0.2.66"))

        let untrusting = try await ServerProcess()
        let otherProxy = try NginxProxy(upstreamPort: untrusting.port)
        _ = try await Curl.run(spoofing + [otherProxy.baseURL + "/healthz"])
        let untrustingLog = try untrusting.log()
        #expect(untrustingLog.contains("client=127.0.0.1"))
        #expect(!untrustingLog.contains("client=127.0.0.2"))
    }

    /// A request that finds no server (or loses its server mid-way) gets nginx's answer in the API's
    /// own form: 503, Retry-After, problem+json with Japanese and English.
    @Test func noServerAnsweringIsA503ProblemWithRetryAfter() async throws {
        let server = try await ServerProcess()
        let proxy = try NginxProxy(upstreamPort: server.port)
        server.stop()
        let result = try await Curl.run(ApplicationFields.curlArguments(ApplicationFields.medical) + [proxy.baseURL + "/api/v1/applications"])
        #expect(result.status == 503, "\(result.text)")
        #expect(result.headers.lowercased().contains("content-type: application/problem+json"), "\(result.headers)")
        #expect(result.headers.lowercased().contains("retry-after: 5"), "\(result.headers)")
        #expect(result.json["code"] as? String == "server_unavailable")
        #expect((result.json["detail"] as? String)?.contains("もう一度送信") == true)
        #expect((result.json["detail_en"] as? String)?.contains("send it again") == true)
    }

    @Test func theTestConfigurationIsTheShippedFileWithoutItsTLSLines() async throws {
        let shipped = try NginxProxy.shippedConfiguration
        let derived = try NginxProxy.testConfiguration(shipped, listenPort: 18080, upstreamPorts: [18081])
        for directive in [
            "client_max_body_size 201m;", "proxy_request_buffering off;", "proxy_http_version 1.1;",
            "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", "proxy_read_timeout 300s;",
        ] {
            #expect(shipped.contains(directive) && derived.contains(directive), "\(directive)")
        }
        #expect(shipped.contains("ssl_certificate ") && !derived.contains("ssl_"))
        #expect(derived.contains("server 127.0.0.1:18081 max_fails=1 fail_timeout=3s;") && derived.contains("listen 127.0.0.1:18080;"))
    }
}
