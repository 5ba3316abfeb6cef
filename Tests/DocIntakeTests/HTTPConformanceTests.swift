import Foundation
import Storage
import Testing

@testable import DocIntake

/// HTTP by the RFCs (9110, 9112): what any client or proxy may send, answered as they say.
@Suite struct HTTPConformanceTests {
    /// A submitted application, a reviewer's token and the opening permit's download URL.
    private struct Submitted {
        let id: String
        let reviewerToken: String
        let permitURL: String
        let permitSize: Int
        var auth: [String] { ["-H", "Authorization: Bearer \(reviewerToken)"] }
    }

    private func submit(_ server: TestServer) async throws -> Submitted {
        let created = try await server.submitWorkplaceClinic()
        let id = try #require(created.json["id"] as? String)
        let permit = try #require((created.json["documents"] as? [[String: Any]])?.first { $0["slot"] as? String == "opening_permit" })
        let token = try await ReviewerAdmin(metadata: try server.stores().metadata).add(name: "sato")
        return Submitted(
            id: id, reviewerToken: token, permitURL: server.baseURL + "/api/v1/review/applications/\(id)/documents/opening_permit",
            permitSize: try #require(permit["size"] as? Int))
    }

    @Test func headIsAnsweredWhereverGetIsWithGetsHeadersAndNoBody() async throws {
        try await TestServer.with { server in
            let submitted = try await submit(server)
            let permitPath = String(submitted.permitURL.dropFirst(server.baseURL.count))
            for (path, extra) in [("/healthz", [String]()), ("/", []), (permitPath, submitted.auth)] {
                let get = try await Curl.run(extra + [server.baseURL + path])
                // A raw exchange: curl would not show a body sent after a HEAD, it knows there is none.
                let authorization = extra.isEmpty ? "" : extra[1] + "\r\n"
                let head = try await RawHTTP.exchange(
                    port: server.port, "HEAD \(path) HTTP/1.1\r\nHost: localhost\r\n\(authorization)Connection: close\r\n\r\n")
                #expect(get.status == 200, "GET \(path)")
                #expect(head.status == 200, "HEAD \(path): \(head.headers)")
                #expect(head.closed && head.body.isEmpty, "HEAD \(path) sent a body")
                #expect(head.headers["content-length"] == "\(get.body.count)", "HEAD \(path): \(head.headers)")
            }
            // Only the GET sent the document, so only it is a download in the audit log.
            let audit = try await server.stores().metadata.auditLog(applicationId: submitted.id).filter { $0.action == "download" }
            #expect(audit.count == 1)
        }
    }

    @Test func aWrongMethodGets405WithAllowAndAnUnknownPath404BothAsProblems() async throws {
        try await TestServer.with { server in
            let cases: [(method: String, path: String, allow: String?)] = [
                ("DELETE", "/healthz", "GET, HEAD"),
                ("GET", "/api/v1/applications", "POST"),
                ("POST", "/api/v1/applications/abc", "GET, HEAD, PATCH"),
                ("GET", "/api/v1/applications/abc/documents/opening_permit", "PUT"),
                ("PUT", "/api/v1/review/applications/abc/decision", "POST"),
                ("GET", "/nowhere", nil),
                ("POST", "/api/v1/applications/abc/unknown", nil),
            ]
            for (method, path, allow) in cases {
                let result = try await Curl.run(["-X", method, server.baseURL + path])
                #expect(result.status == (allow == nil ? 404 : 405), "\(method) \(path)")
                #expect(result.headers.lowercased().contains("content-type: application/problem+json"), "\(method) \(path)")
                #expect(result.json["code"] as? String == (allow == nil ? "not_found" : "method_not_allowed"), "\(method) \(path)")
                #expect((result.json["detail"] as? String)?.isEmpty == false)
                #expect((result.json["detail_en"] as? String)?.isEmpty == false)
                if let allow {
                    #expect(result.headers.contains("Allow: \(allow)\r\n"), "\(method) \(path): \(result.headers)")
                }
            }
        }
    }

    @Test func aRequestWithoutHostOrWithTwoGets400() async throws {
        try await TestServer.with { server in
            let missing = try await RawHTTP.exchange(port: server.port, "GET /healthz HTTP/1.1\r\n\r\n")
            let doubled = try await RawHTTP.exchange(port: server.port, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
            for response in [missing, doubled] {
                #expect(response.status == 400)
                #expect(response.json["code"] as? String == "invalid_host")
                #expect(response.closed)
            }
            let one = try await RawHTTP.exchange(port: server.port, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", waitForClose: 0.5)
            #expect(one.status == 200)
            // HTTP/1.0 has no Host requirement.
            let old = try await RawHTTP.exchange(port: server.port, "GET /healthz HTTP/1.0\r\n\r\n")
            #expect(old.status == 200)
        }
    }

    @Test func http10ClosesUnlessKeepAliveWasAskedForAndRefusesChunked() async throws {
        try await TestServer.with { server in
            let plain = try await RawHTTP.exchange(port: server.port, "GET /healthz HTTP/1.0\r\n\r\n")
            #expect(plain.status == 200)
            #expect(plain.closed)
            #expect(plain.headers["connection"] == "close")
            let keepAlive = try await RawHTTP.exchange(port: server.port, "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", waitForClose: 1)
            #expect(keepAlive.status == 200)
            #expect(!keepAlive.closed)
            #expect(keepAlive.headers["connection"] == "keep-alive")
            let http11 = try await RawHTTP.exchange(port: server.port, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", waitForClose: 1)
            #expect(!http11.closed)
            let chunked = try await RawHTTP.exchange(
                port: server.port,
                "POST /api/v1/applications HTTP/1.0\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Type: multipart/form-data; boundary=x\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            #expect(chunked.status == 400)
            #expect(chunked.json["code"] as? String == "invalid_framing")
            #expect(chunked.closed)
        }
    }

    @Test func anOversizeDecisionGets413AsAProblem() async throws {
        try await TestServer.with { server in
            let submitted = try await submit(server)
            let reason = String(repeating: "あ", count: 70 * 1024 / 3)
            let result = try await Curl.run(
                submitted.auth + [
                    "-H", "Content-Type: application/json", "--data", #"{"decision":"reject","reason":"\#(reason)"}"#,
                    server.baseURL + "/api/v1/review/applications/\(submitted.id)/decision",
                ])
            #expect(result.status == 413, "\(result.text)")
            #expect(result.json["code"] as? String == "request_too_large")
            #expect(result.headers.lowercased().contains("content-type: application/problem+json"))
            // Nothing was decided.
            let detail = try await Curl.run(submitted.auth + [server.baseURL + "/api/v1/review/applications/\(submitted.id)"])
            #expect(detail.json["status"] as? String == "submitted")
        }
    }

    @Test func anInvalidRangeIsIgnoredAndAnUnsatisfiableOneGets416() async throws {
        try await TestServer.with { server in
            let submitted = try await submit(server)
            let size = submitted.permitSize
            for range in ["bytes=-5-", "bytes=+5-", "bytes=99999999999999999999-", "bytes=10-5", "lines=1-", "bytes=0-5,\(size)-"] {
                let result = try await Curl.run(submitted.auth + ["-H", "Range: \(range)", submitted.permitURL])
                #expect(result.status == 200, "\(range)")
                #expect(result.body.count == size, "\(range)")
            }
            for range in ["bytes=\(size)-", "bytes=\(size)-\(size + 10)", "bytes=-0", "bytes=\(size + 1)-,\(size)-"] {
                let result = try await Curl.run(submitted.auth + ["-H", "Range: \(range)", submitted.permitURL])
                #expect(result.status == 416, "\(range)")
                #expect(result.headers.contains("Content-Range: bytes */\(size)"), "\(range)")
                #expect(result.json["code"] as? String == "range_not_satisfiable", "\(range)")
            }
            let resumed = try await Curl.run(submitted.auth + ["-H", "Range: bytes=10-", submitted.permitURL])
            #expect(resumed.status == 206)
            #expect(resumed.body.count == size - 10)
        }
    }

    @Test func aDocumentUploadedWithAnEmptyFilenameIsStoredAndOfferedAsDocument() async throws {
        try await TestServer.with { server in
            let boundary = "----docintake-empty-name"
            var body = Data()
            var fields = ApplicationFields.workplaceClinic
            fields["application_kind"] = "change"
            for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
            }
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"opening_notification\"; filename=\"\"\r\n".utf8))
            body.append(Data("Content-Type: application/pdf\r\n\r\n".utf8))
            body.append(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("tiny-reportlab.pdf"))))
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            let head =
                "POST /api/v1/applications HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.count)\r\n"
                + "Content-Type: multipart/form-data; boundary=\(boundary)\r\nConnection: close\r\n\r\n"
            let created = try await RawHTTP.exchange(port: server.port, Data(head.utf8) + body)
            #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
            let document = try #require((created.json["documents"] as? [[String: Any]])?.first)
            #expect(document["filename"] as? String == "document")

            let id = try #require(created.json["id"] as? String)
            let token = try await ReviewerAdmin(metadata: try server.stores().metadata).add(name: "sato")
            let download = try await Curl.run([
                "-H", "Authorization: Bearer \(token)",
                server.baseURL + "/api/v1/review/applications/\(id)/documents/opening_notification",
            ])
            #expect(download.status == 200)
            // Saved with the extension of what it is (issue 13): a PDF.
            #expect(
                download.headers.contains("Content-Disposition: attachment; filename=\"document.pdf\"; filename*=UTF-8''document.pdf\r\n"),
                "\(download.headers)")
        }
    }

    @Test func aStoredEmptyNameIsOfferedAsDocumentInBothForms() {
        #expect(AttachmentHeader.attachment(filename: "") == "attachment; filename=\"document\"; filename*=UTF-8''document")
    }
}
