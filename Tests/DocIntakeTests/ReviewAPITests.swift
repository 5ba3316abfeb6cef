import Foundation
import Testing
@testable import DocIntake

/// Review API behaviour that the CLI tests do not reach.
@Suite struct ReviewAPITests {
    @Test func aResumeForAnOlderVersionGetsTheWholeCurrentDocument() async throws {
        try await TestServer.with { server in
            let created = try await server.submitWorkplaceClinic()
            let id = try #require(created.json["id"] as? String)
            let permit = try #require((created.json["documents"] as? [[String: Any]])?.first { $0["slot"] as? String == "opening_permit" })
            let sha = try #require(permit["sha256"] as? String)
            let size = try #require(permit["size"] as? Int)
            let token = try ReviewerAdmin(metadata: try server.stores().metadata).add(name: "sato")
            let url = server.baseURL + "/api/v1/review/applications/\(id)/documents/opening_permit"
            let auth = ["-H", "Authorization: Bearer \(token)"]

            let sameVersion = try await Curl.run(auth + ["-H", "Range: bytes=100-", "-H", "If-Range: \"\(sha)\"", url])
            #expect(sameVersion.status == 206)
            #expect(sameVersion.body.count == size - 100)
            let olderVersion = try await Curl.run(auth + ["-H", "Range: bytes=100-", "-H", "If-Range: \"\(String(repeating: "0", count: 64))\"", url])
            #expect(olderVersion.status == 200)
            #expect(olderVersion.body.count == size)
            let beyond = try await Curl.run(auth + ["-H", "Range: bytes=\(size)-", url])
            #expect(beyond.status == 416)
            #expect(beyond.headers.contains("Content-Range: bytes */\(size)"))
        }
    }

    @Test func onlyAWorkplaceClinicCanBeReturned() async throws {
        try await TestServer.with { server in
            let created = try await Curl.run(ApplicationFields.curlArguments(ApplicationFields.medical) + [server.baseURL + "/api/v1/applications"])
            let id = try #require(created.json["id"] as? String)
            let token = try ReviewerAdmin(metadata: try server.stores().metadata).add(name: "sato")
            let decide = { (body: String) in
                try await Curl.run(["-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json", "--data", body,
                                    server.baseURL + "/api/v1/review/applications/\(id)/decision"])
            }
            let returned = try await decide(#"{"decision":"return","reason":"不備"}"#)
            #expect(returned.status == 409)
            let approved = try await decide(#"{"decision":"approve"}"#)
            #expect(approved.status == 200)
            #expect(approved.json["status"] as? String == "approved")
        }
    }
}
