import Crypto
import DocIntake
import Foundation
import Testing

/// The reviewers' CLI end to end: the real `docintake-review` binary against a real server.
@Suite(.serialized) struct ReviewCLITests {
    static let permit = Fixtures.path("開設許可書の写し.png")
    static let notification = Fixtures.path("notice-libreoffice-ja.pdf")

    /// A submitted workplace-clinic application with both documents.
    struct Submitted {
        let id: String
        let receiptNumber: String
        let applicantToken: String
    }

    static func submit(_ server: TestServer) async throws -> Submitted {
        let result = try await Program.run(
            "/usr/bin/curl",
            ["-sS", "-w", "\n%{http_code}"] + ApplicationFields.curlArguments(ApplicationFields.workplaceClinic)
                + [
                    "-F", "opening_notification=@\(notification)", "-F", "opening_permit=@\(permit)",
                    server.baseURL + "/api/v1/applications",
                ])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.last == "201", "\(result.stdout)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(lines.dropLast().joined(separator: "\n").utf8)) as? [String: Any])
        return Submitted(
            id: try #require(json["id"] as? String), receiptNumber: try #require(json["receipt_number"] as? String),
            applicantToken: try #require(json["access_token"] as? String))
    }

    static func reviewerToken(_ server: TestServer, name: String = "sato") async throws -> String {
        try await ReviewerAdmin(metadata: server.stores().metadata).add(name: name)
    }

    private static func review(_ server: TestServer, token: String?, _ arguments: [String]) async throws -> Program.Result {
        var environment = ["DOCINTAKE_SERVER": server.baseURL]
        environment["DOCINTAKE_TOKEN"] = token
        return try await Program.run(try Program.reviewBinary(), arguments, environment: environment)
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "review-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    static func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    @Test func theFullReviewLoop() async throws {
        try await TestServer.with { server in
            let application = try await Self.submit(server)
            let token = try await Self.reviewerToken(server)
            let output = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: output) }

            let table = try await Self.review(server, token: token, ["list"])
            #expect(table.status == 0, "\(table.stderr)")
            #expect(table.stdout.hasPrefix("ID "))
            #expect(table.stdout.contains(application.receiptNumber) && table.stdout.contains("submitted (受付)"))
            #expect(table.stdout.contains("株式会社テスト 健康管理室診療所"))

            let listed = try await Self.review(server, token: token, ["list", "--json"])
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
            #expect(rows.map { $0["id"] as? String } == [application.id])
            #expect(rows.first?["document_count"] as? Int == 2)

            let claimed = try await Self.review(server, token: token, ["claim", application.id])
            #expect(claimed.status == 0, "\(claimed.stderr)")
            #expect(claimed.stdout.contains("is now under_review (審査中)"))

            let shown = try await Self.review(server, token: token, ["show", application.id])
            #expect(shown.status == 0)
            #expect(shown.stdout.contains("開設許可書の写し.png"))
            #expect(shown.stdout.contains("by reviewer:sato"))
            #expect(!shown.stdout.contains("4821"), "the secret number is never shown")

            let downloaded = try await Self.review(server, token: token, ["download", application.id, "--output", output])
            #expect(downloaded.status == 0, "\(downloaded.stderr)")
            let permitName = "\(application.receiptNumber)_opening_permit_開設許可書の写し.png"
            let notificationName = "\(application.receiptNumber)_opening_notification_notice-libreoffice-ja.pdf"
            #expect(Self.files(in: output) == [notificationName, permitName].sorted())
            #expect(try Data(contentsOf: URL(fileURLWithPath: output + "/" + permitName)) == Data(contentsOf: URL(fileURLWithPath: Self.permit)))
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: output + "/" + notificationName))
                    == Data(contentsOf: URL(fileURLWithPath: Self.notification)))
            // One `sha256sum`-style line per document.
            let permitLine = "\(try Self.sha256(Self.permit))  \(output)/\(permitName)"
            let notificationLine = "\(try Self.sha256(Self.notification))  \(output)/\(notificationName)"
            #expect(Set(downloaded.stdout.split(separator: "\n").map(String.init)) == [permitLine, notificationLine])
            #expect(!downloaded.stderr.contains("\u{1B}["), "no progress bar when stderr is not a terminal")

            let approved = try await Self.review(server, token: token, ["decide", application.id, "approve"])
            #expect(approved.status == 0, "\(approved.stderr)")
            #expect(approved.stdout.contains("is now approved (審査完了)"))

            let queue = try await Self.review(server, token: token, ["list", "--json"])
            #expect(queue.status == 0 && !queue.stdout.contains(application.id), "approved is not in the default queue")
            let done = try await Self.review(server, token: token, ["list", "--status", "approved", "--json"])
            #expect(done.stdout.contains(application.id))

            let history = try await server.stores().metadata.auditLog(applicationId: application.id)
            #expect(history.filter { $0.action == "download" }.map(\.actor) == ["reviewer:sato", "reviewer:sato"])
            #expect(history.last?.action == "approve")
        }
    }

    @Test func aFlippedByteInTheStoredBlobIsMarkedRefusedClearlyAndHealedByTheSameUpload() async throws {
        try await TestServer.with { server in
            let application = try await Self.submit(server)
            let token = try await Self.reviewerToken(server)
            let output = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: output) }

            let hex = try Self.sha256(Self.permit)
            let stores = try await server.stores()
            try await BlobTamper.flip(hex, in: stores.blobs)
            let metadata = stores.metadata
            #expect(try await metadata.blobCorruption(sha256: hex) == nil)

            // The first transfer is cut off before its last byte; the CLI's one retry is refused
            // before any byte, so it deletes its .part and names the document.
            for _ in 0..<2 {
                let result = try await Self.review(
                    server, token: token, ["download", application.id, "--slot", "opening_permit", "--output", output])
                #expect(result.status == 1, "\(result.stderr)")
                #expect(
                    result.stderr.contains("stored copy of document opening_permit of application \(application.receiptNumber) is corrupt"),
                    "\(result.stderr)")
                #expect(Self.files(in: output).isEmpty, "nothing left behind: \(Self.files(in: output))")
            }
            #expect(try await metadata.blobCorruption(sha256: hex) != nil)
            let refused = try await Program.run(
                "/usr/bin/curl",
                [
                    "-sS", "-H", "Authorization: Bearer \(token)",
                    server.baseURL + "/api/v1/review/applications/\(application.id)/documents/opening_permit",
                ])
            let problem = try #require(try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any])
            #expect(problem["code"] as? String == "blob_corrupt")
            #expect((problem["detail"] as? String)?.contains("破損") == true)
            // The intact document of the same application still downloads.
            let other = try await Self.review(
                server, token: token, ["download", application.id, "--slot", "opening_notification", "--output", output])
            #expect(other.status == 0, "\(other.stderr)")

            // Another upload of the same bytes replaces the damaged copy and clears the mark.
            _ = try await Self.submit(server)
            #expect(try await metadata.blobCorruption(sha256: hex) == nil)
            let healed = try await Self.review(
                server, token: token, ["download", application.id, "--slot", "opening_permit", "--output", output])
            #expect(healed.status == 0, "\(healed.stderr)")
            let saved = try #require(Self.files(in: output).first { $0.contains("opening_permit") })
            #expect(try Data(contentsOf: URL(fileURLWithPath: output + "/" + saved)) == Data(contentsOf: URL(fileURLWithPath: Self.permit)))
        }
    }

    @Test func aDocumentWhoseBlobVanishedIsRefusedClearly() async throws {
        try await TestServer.with { server in
            let application = try await Self.submit(server)
            let token = try await Self.reviewerToken(server)
            try await BlobTamper.remove(try Self.sha256(Self.permit), in: try await server.stores().blobs)
            let refused = try await Curl.run(
                ["-H", "Authorization: Bearer \(token)", server.baseURL + "/api/v1/review/applications/\(application.id)/documents/opening_permit"])
            #expect(refused.status == 500)
            #expect(refused.json["code"] as? String == "blob_missing", "\(refused.text)")
            #expect((refused.json["detail_en"] as? String)?.contains("missing") == true)
        }
    }

    @Test func anInterruptedDownloadResumesWithARange() async throws {
        try await TestServer.with { server in
            let application = try await Self.submit(server)
            let token = try await Self.reviewerToken(server)
            let output = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: output) }

            let original = try Data(contentsOf: URL(fileURLWithPath: Self.permit))
            let finalName = "\(application.receiptNumber)_opening_permit_開設許可書の写し.png"
            let half = original.count / 2
            let sha256 = SHA256.hash(data: original).map { String(format: "%02x", $0) }.joined()
            try original.prefix(half).write(to: URL(fileURLWithPath: output + "/" + finalName + ".\(sha256.prefix(16)).part"))

            let result = try await Self.review(server, token: token, ["download", application.id, "--slot", "opening_permit", "--output", output])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("resuming \(finalName) from byte \(half) of \(original.count)"))
            #expect(Self.files(in: output) == [finalName])
            #expect(try Data(contentsOf: URL(fileURLWithPath: output + "/" + finalName)) == original)
            let downloads = try await server.stores().metadata.auditLog(applicationId: application.id).filter { $0.action == "download" }
            #expect(downloads.count == 1)
            #expect(downloads.first?.detail?.contains(#""offset":\#(half)"#) == true, "the server saw Range: bytes=\(half)-")
        }
    }

    @Test func everyUnauthorisedPathIsRefused() async throws {
        try await TestServer.with { server in
            let application = try await Self.submit(server)
            let token = try await Self.reviewerToken(server)
            let revoked = try await Self.reviewerToken(server, name: "former")
            try await ReviewerAdmin(metadata: server.stores().metadata).revoke(name: "former")
            let secrets = [token, revoked, application.applicantToken]

            let cases: [(token: String?, arguments: [String], exit: Int32, says: String)] = [
                (nil, ["list"], 4, "no reviewer token"),
                ("dir_not-a-real-token", ["list"], 4, "(401)"),
                (revoked, ["show", application.id], 4, "revoked"),
                (application.applicantToken, ["download", application.id, "--output", NSTemporaryDirectory()], 4, "applicant's token"),
                (application.applicantToken, ["claim", application.id], 4, "(403)"),
                ("dir_with\nnewline", ["list"], 2, "characters a token cannot have"),
            ]
            for (presented, arguments, exit, says) in cases {
                let result = try await Self.review(server, token: presented, arguments)
                #expect(result.status == exit, "\(arguments): \(result.stderr)")
                #expect(result.stderr.contains(says), "\(arguments): \(result.stderr)")
                #expect(result.stdout.isEmpty)
                for secret in secrets {
                    #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret), "a token was printed")
                }
            }
            // Nothing changed: the application was neither claimed nor downloaded.
            let history = try await server.stores().metadata.auditLog(applicationId: application.id)
            #expect(history.map(\.action) == ["submit"])
        }
    }

    @Test func otherFailuresNameTheirCause() async throws {
        try await TestServer.with { server in
            let application = try await Self.submit(server)
            let token = try await Self.reviewerToken(server)

            let missing = try await Self.review(server, token: token, ["show", "00000000-0000-0000-0000-000000000000"])
            #expect(missing.status == 5)
            #expect(missing.stderr.contains("not found (404)"))

            let returnedWithoutReason = try await Self.review(server, token: token, ["decide", application.id, "return"])
            #expect(returnedWithoutReason.status == 2)
            #expect(returnedWithoutReason.stderr.contains("--reason is required"))

            let tooEarly = try await Self.review(server, token: token, ["decide", application.id, "reject", "--reason", "不備があります"])
            #expect(tooEarly.status == 5, "a workplace clinic must be claimed first")
            #expect(tooEarly.stderr.contains("conflict (409)"))
            #expect(tooEarly.stderr.contains("現在の状態（受付）"), "the server's Japanese detail")
            #expect(tooEarly.stderr.contains("Cannot reject an application that is submitted."), "and its English detail")

            var environment = ["DOCINTAKE_TOKEN": token]
            environment["DOCINTAKE_SERVER"] = "http://127.0.0.1:1"
            let unreachable = try await Program.run(try Program.reviewBinary(), ["list"], environment: environment)
            #expect(unreachable.status == 3)
            #expect(unreachable.stderr.contains("cannot reach the server at http://127.0.0.1:1"))
            #expect(!unreachable.stderr.contains(token))

            let help = try await Program.run(try Program.reviewBinary(), ["--help"], environment: environment)
            #expect(help.status == 0)
            #expect(help.stdout.contains("Exit codes:"))
            #expect(!help.stdout.contains(token), "the environment's token is not a displayed default")
        }
    }
}
