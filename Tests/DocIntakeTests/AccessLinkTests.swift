import DocIntake
import Foundation
import Storage
import Synchronization
import Testing

/// 「アクセス用のリンクを再送する」 and what every notice carries, against the real `docintake serve`
/// (its log at trace level, its notices as .eml files, read as a mail client reads them).
@Suite struct AccessLinkTests {
    static let publicURL = "https://docintake.example.jp"
    static let contact = "利用申請受付窓口 03-1234-5678（平日9時〜17時）"

    static func ask(_ server: ServerProcess, receipt: String, email: String) async throws -> Curl.Result {
        try await ask(baseURL: server.baseURL, receipt: receipt, email: email)
    }

    static func ask(baseURL: String, receipt: String, email: String, forwardedFor: String? = nil) async throws -> Curl.Result {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["receipt_number": receipt, "contact_email": email]), as: UTF8.self)
        let forwarded = forwardedFor.map { ["-H", "X-Forwarded-For: \($0)"] } ?? []
        return try await Curl.run(
            ["-X", "POST", "-H", "Content-Type: application/json", "-d", body] + forwarded + [baseURL + "/api/v1/access-links"])
    }

    /// Behind the reverse proxy, each applicant has an allowance of their own, not one shared by
    /// everyone the proxy forwards; a client that is not a trusted proxy cannot name another.
    @Test func behindATrustedProxyTheLimitIsPerRealClient() async throws {
        let server = try await ServerProcess(arguments: ["--trusted-proxy", "127.0.0.1"])
        defer { server.stop() }
        for number in 1...12 {
            let result = try await Self.ask(
                baseURL: server.baseURL, receipt: "20261207-00000\(number % 10)\(number / 10)",
                email: "x@example.jp", forwardedFor: "192.0.2.\(number)")
            #expect(result.status == 202, "client \(number) has an allowance of its own: \(result.status)")
        }
        for number in 1...11 {
            let result = try await Self.ask(
                baseURL: server.baseURL, receipt: "20261207-10000\(number % 10)\(number / 10)",
                email: "x@example.jp", forwardedFor: "198.51.100.7")
            #expect(result.status == (number <= 10 ? 202 : 429), "request \(number) of one real client")
        }
    }

    @Test func aLostTokenIsReplacedByAFreshLinkThatLeadsToTheStatusPage() async throws {
        let server = try await ServerProcess(arguments: ["--log-level", "trace", "--public-url", Self.publicURL + "/", "--contact", Self.contact])
        defer { server.stop() }
        let submitted = try await Curl.run(
            ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                "-F", "opening_notification=@\(Fixtures.path("tiny-reportlab.pdf"))", "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"))",
                server.baseURL + "/api/v1/applications",
            ])
        let id = try #require(submitted.json["id"] as? String)
        let receipt = try #require(submitted.json["receipt_number"] as? String)
        let oldToken = try #require(submitted.json["access_token"] as? String)

        let unmatched = try await Self.ask(server, receipt: receipt, email: "someone-else@example.jp")
        let matched = try await Self.ask(server, receipt: receipt.lowercased(), email: "CLINIC@example.jp")
        #expect(unmatched.status == 202 && matched.status == 202)
        #expect(unmatched.body == matched.body, "the same answer whether or not the pair matched")

        let outbox = server.dataDirectory + "/outbox"
        let files = try await EMLReader.files(in: outbox, atLeast: 2)
        let emails = try await EMLReader.read(files)
        #expect(emails.count == 2, "the submission notice and one access link, none for the unmatched pair")
        for email in emails {
            let body = email["body"] as? String ?? ""
            #expect(body.contains("\(Self.publicURL)/applications/\(id)"), "every notice links the status page: \(body)")
            #expect(body.contains(Self.contact), "every notice names the contact point")
            #expect(!body.contains(oldToken))
        }
        let link = try #require(emails.first { ($0["subject"] as? String)?.contains("リンク") == true }?["body"] as? String)
        let token = try #require(link.firstMatch(of: /#token=(dia_[A-Za-z0-9_-]+)/).map { String($0.1) }, "the link carries a token: \(link)")

        let old = try await Curl.run(["-H", "Authorization: Bearer \(oldToken)", server.baseURL + "/api/v1/applications/\(id)"])
        let new = try await Curl.run(["-H", "Authorization: Bearer \(token)", server.baseURL + "/api/v1/applications/\(id)"])
        #expect(old.status == 404, "the old token is revoked")
        #expect(new.status == 200, "the new one reads the application")

        let log = try server.log()
        #expect(log.contains("access link requested"), "the log shows the requests at all")
        #expect(!log.contains(token) && !log.contains(oldToken), "no token in the trace log")
    }

    @Test func aFullDiskOnTheMatchedPathDoesNotTellThePairExists() async throws {
        let full = Mutex(false)
        let faults = MetadataFaults { full.withLock { $0 } ? MetadataFaults.sqliteFull : nil }
        try await TestServer.with(metadataFaults: faults) { server in
            let submitted = try await server.submitWorkplaceClinic()
            let receipt = try #require(submitted.json["receipt_number"] as? String)
            full.withLock { $0 = true }
            let matched = try await Self.ask(baseURL: server.baseURL, receipt: receipt, email: ApplicationFields.workplaceClinic["contact_email"]!)
            let unmatched = try await Self.ask(baseURL: server.baseURL, receipt: receipt, email: "someone-else@example.jp")
            #expect(matched.status == 202 && unmatched.status == 202, "\(matched.status) \(matched.text)")
            #expect(matched.body == unmatched.body)
        }
    }

    @Test func requestsAreLimitedPerReceiptNumberAndPerClient() async throws {
        let server = try await ServerProcess()
        defer { server.stop() }
        // Per 受付番号: three an hour, counted whether or not anything matched.
        for attempt in 1...3 {
            #expect(try await Self.ask(server, receipt: "20261206-ABCDEF", email: "x@example.jp").status == 202, "attempt \(attempt)")
        }
        let refused = try await Self.ask(server, receipt: "20261206-abcdef", email: "y@example.jp")
        #expect(refused.status == 429, "a fourth for the same 受付番号, however written")
        #expect(refused.json["code"] as? String == "too_many_requests")
        #expect(refused.headers.lowercased().contains("retry-after: "))
        // Per client address: ten an hour across 受付番号s (three counted above).
        for number in 1...7 {
            let other = "20261206-00000\(number)"
            #expect(try await Self.ask(server, receipt: other, email: "x@example.jp").status == 202, "\(other)")
        }
        #expect(try await Self.ask(server, receipt: "20261206-000009", email: "x@example.jp").status == 429, "an eleventh from one client")
    }
}
