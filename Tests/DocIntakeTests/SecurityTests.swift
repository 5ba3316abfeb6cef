import DocIntake
import Foundation
import Testing

/// Hostile file names, tokens used where they do not belong, the headers documents are served
/// with, and what the server's log may never contain.
@Suite(.serialized) struct SecurityTests {
    static let boundary = "----docintake-security"

    /// A one-document `change` application whose file part carries `disposition` verbatim.
    static func body(disposition: [UInt8], fields: [String: String] = ApplicationFields.workplaceClinic) throws -> Data {
        var fields = fields
        fields["application_kind"] = "change"
        var body = Data()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Data("--\(boundary)\r\nContent-Disposition: ".utf8) + Data(disposition)
        body += Data("\r\nContent-Type: application/pdf\r\n\r\n".utf8)
        body += try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("tiny-reportlab.pdf")))
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        return body
    }

    static func post(_ body: Data, to server: TestServer) async throws -> Curl.Result {
        let path = NSTemporaryDirectory() + "security-" + UUID().uuidString
        try body.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await Curl.run([
            "-H", "Content-Type: multipart/form-data; boundary=\(boundary)", "--data-binary", "@\(path)",
            server.baseURL + "/api/v1/applications",
        ])
    }

    /// The value of response header `name` in curl's dump of the headers.
    static func header(_ name: String, in result: Curl.Result) -> String? {
        for line in result.headers.components(separatedBy: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    static let traversalTarget = "docintake-pwned-" + UUID().uuidString + ".pdf"

    /// (what the part declares, the name stored and offered for download)
    static let hostileNames: [(disposition: String, stored: String)] = [
        ("form-data; name=\"opening_notification\"; filename=\"../../../../../../tmp/\(traversalTarget)\"", traversalTarget),
        ("form-data; name=\"opening_notification\"; filename=\"/etc/cron.d/job.pdf\"", "job.pdf"),
        ("form-data; name=\"opening_notification\"; filename*=UTF-8''C%3A%5CWindows%5Csystem32%5Cevil.pdf", "evil.pdf"),
        ("form-data; name=\"opening_notification\"; filename*=UTF-8''a%00b%0D%0AX-Injected%3A%201%1B%5B2J%7F.pdf", "abX-Injected: 1[2J.pdf"),
        // U+202E makes "invoice‮fdp.exe" display as "invoiceexe.pdf".
        ("form-data; name=\"opening_notification\"; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8%E2%80%AEfdp.exe.pdf", "請求書fdp.exe.pdf"),
        ("form-data; name=\"opening_notification\"; filename*=UTF-8''%E2%80%AE%E2%80%8B..%2F", "document"),
        ("form-data; name=\"opening_notification\"; filename=\"開設届の写し.pdf\"", "開設届の写し.pdf"),
    ]

    @Test func hostileFileNamesAreStoredSanitisedAndDownloadedSafely() async throws {
        try await TestServer.with { server in
            let reviewer = try await ReviewerAdmin(metadata: server.stores().metadata).add(name: "sato")
            // 300 kana (900 bytes): over any file system's limit, shortened keeping ".pdf".
            let overlong = String(repeating: "あ", count: 300) + ".pdf"
            let encoded = overlong.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz."))!
            let cases =
                Self.hostileNames + [
                    ("form-data; name=\"opening_notification\"; filename*=UTF-8''\(encoded)", String(repeating: "あ", count: 78) + ".pdf")
                ]
            for (disposition, stored) in cases {
                let result = try await Self.post(try Self.body(disposition: Array(disposition.utf8)), to: server)
                #expect(result.status == 201, "\(disposition): \(result.text)")
                let documents = result.json["documents"] as? [[String: Any]] ?? []
                #expect(documents.first?["filename"] as? String == stored, "\(disposition): \(documents)")
                let id = try #require(result.json["id"] as? String)

                let download = try await Curl.run([
                    "-H", "Authorization: Bearer \(reviewer)",
                    server.baseURL + "/api/v1/review/applications/\(id)/documents/opening_notification",
                ])
                #expect(download.status == 200)
                #expect(download.body == (try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("tiny-reportlab.pdf")))))
                #expect(Self.header("X-Content-Type-Options", in: download) == "nosniff")
                #expect(Self.header("Cache-Control", in: download) == "no-store")
                let offered = try #require(Self.header("Content-Disposition", in: download))
                // One printable-ASCII header line: no CR/LF to inject a header, no raw non-ASCII.
                #expect(offered.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }, "\(offered)")
                let extended = try #require(offered.components(separatedBy: "filename*=UTF-8''").last)
                // Saved with the extension of what it is: every case here is a PDF.
                let saved = stored.hasSuffix(".pdf") ? stored : stored + ".pdf"
                #expect(extended.removingPercentEncoding == saved, "\(offered)")
            }
            #expect(!FileManager.default.fileExists(atPath: "/tmp/" + Self.traversalTarget))
            // Nothing was written anywhere but the content-addressed blob store.
            let written = FileManager.default.enumerator(atPath: server.dataDirectory + "/blobs")?.allObjects as? [String] ?? []
            for path in written {
                #expect(path.range(of: #"^sha256(/[0-9a-f]{2}(/[0-9a-f]{2}(/[0-9a-f]{64})?)?)?$"#, options: .regularExpression) != nil, "\(path)")
            }
            #expect(try server.tempFiles().isEmpty)
        }
    }

    @Test func aRawControlCharacterInAFileNameIsATypedRefusal() async throws {
        try await TestServer.with { server in
            let disposition = Array("form-data; name=\"opening_notification\"; filename=\"a".utf8) + [0] + Array("b.pdf\"".utf8)
            let result = try await Self.post(try Self.body(disposition: disposition), to: server)
            #expect(result.status == 400)
            #expect(result.json["code"] as? String == "malformed_multipart")
            #expect(try server.tempFiles().isEmpty)
        }
    }

    @Test func tokensOpenOnlyWhatTheyBelongTo() async throws {
        try await TestServer.with { server in
            let first = try await server.submitWorkplaceClinic()
            let second = try await server.submitWorkplaceClinic()
            let firstToken = try #require(first.json["access_token"] as? String)
            let firstId = try #require(first.json["id"] as? String)
            let secondId = try #require(second.json["id"] as? String)
            func get(_ path: String, _ token: String) async throws -> Curl.Result {
                try await Curl.run(["-H", "Authorization: Bearer \(token)", server.baseURL + path])
            }

            #expect(try await get("/api/v1/applications/\(firstId)", firstToken).status == 200)
            let other = try await get("/api/v1/applications/\(secondId)", firstToken)
            #expect(other.status == 404, "an applicant token never reads another application")
            #expect(other.json["code"] as? String == "not_found")
            #expect(!other.text.contains("受付") && other.json["receipt_number"] == nil, "nothing of it is shown")

            // Every review endpoint refuses an applicant's token.
            let review = "/api/v1/review/applications"
            let attempts: [[String]] = [
                [server.baseURL + review],
                [server.baseURL + review + "/\(firstId)"],
                ["-X", "POST", server.baseURL + review + "/\(firstId)/claim"],
                [
                    "-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"decision":"approve"}"#,
                    server.baseURL + review + "/\(firstId)/decision",
                ],
                [server.baseURL + review + "/\(firstId)/documents/opening_notification"],
            ]
            for attempt in attempts {
                let result = try await Curl.run(["-H", "Authorization: Bearer \(firstToken)"] + attempt)
                #expect(result.status == 403, "\(attempt): \(result.text)")
                #expect(result.json["code"] as? String == "forbidden")
            }

            // A reviewer's token works until it is revoked, and not one request after.
            let admin = await ReviewerAdmin(metadata: try server.stores().metadata)
            let reviewer = try await admin.add(name: "tanaka")
            #expect(try await get(review, reviewer).status == 200)
            try await admin.revoke(name: "tanaka")
            let revoked = try await get(review, reviewer)
            #expect(revoked.status == 401)
            #expect(revoked.json["code"] as? String == "unauthorized")
            let history = try await server.stores().metadata.auditLog(applicationId: firstId)
            #expect(history.map(\.action) == ["submit"], "nothing was claimed, decided or downloaded")
        }
    }

    @Test(arguments: ["debug", "trace"])
    func logsNeverContainATokenOrTheSecretNumber(level: String) async throws {
        let server = try await ServerProcess(arguments: ["--log-level", level])
        var fields = ApplicationFields.workplaceClinic
        fields["secret_number"] = "7395"
        fields["secret_number_confirmation"] = "7395"
        fields["application_kind"] = "change"
        let submitted = try await Curl.run(
            ApplicationFields.curlArguments(fields) + [
                "-F", "opening_notification=@\(Fixtures.path("tiny-reportlab.pdf"))", server.baseURL + "/api/v1/applications",
            ])
        #expect(submitted.status == 201)
        let applicant = try #require(submitted.json["access_token"] as? String)
        let id = try #require(submitted.json["id"] as? String)
        let admin = ReviewerAdmin(metadata: try Stores(dataDirectory: server.dataDirectory).metadata)
        let reviewer = try await admin.add(name: "sato")
        let revoked = try await admin.add(name: "former")
        try await admin.revoke(name: "former")
        let wrong = "dia_" + String(repeating: "x", count: 43)

        let review = server.baseURL + "/api/v1/review/applications"
        let requests: [(String, [String])] = [
            (applicant, [server.baseURL + "/api/v1/applications/\(id)"]),
            (wrong, [server.baseURL + "/api/v1/applications/\(id)"]),
            (applicant, [review]),
            (reviewer, [review + "/\(id)"]),
            (reviewer, ["-X", "POST", review + "/\(id)/claim"]),
            (reviewer, [review + "/\(id)/documents/opening_notification"]),
            (revoked, [review]),
            (reviewer, ["-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"decision":"bogus"}"#, review + "/\(id)/decision"]),
        ]
        for (token, arguments) in requests {
            _ = try await Curl.run(["-H", "Authorization: Bearer \(token)"] + arguments)
        }
        // A failed secret-number confirmation and a refused upload, each echoing nothing.
        var mismatched = fields
        mismatched["secret_number_confirmation"] = "7396"
        _ = try await Curl.run(ApplicationFields.curlArguments(mismatched) + [server.baseURL + "/api/v1/applications"])

        let log = try server.log()
        #expect(log.contains(id), "the log should show the requests at all")
        for secret in [applicant, reviewer, revoked, wrong, "7395", "7396"] {
            #expect(!log.contains(secret), "the \(level) log contains \(secret.prefix(6))…")
        }
    }
}
