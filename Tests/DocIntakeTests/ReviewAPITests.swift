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
            let token = try await ReviewerAdmin(metadata: try server.stores().metadata).add(name: "sato")
            let url = server.baseURL + "/api/v1/review/applications/\(id)/documents/opening_permit"
            let auth = ["-H", "Authorization: Bearer \(token)"]

            let sameVersion = try await Curl.run(auth + ["-H", "Range: bytes=100-", "-H", "If-Range: \"\(sha)\"", url])
            #expect(sameVersion.status == 206)
            #expect(sameVersion.body.count == size - 100)
            let olderVersion = try await Curl.run(
                auth + ["-H", "Range: bytes=100-", "-H", "If-Range: \"\(String(repeating: "0", count: 64))\"", url])
            #expect(olderVersion.status == 200)
            #expect(olderVersion.body.count == size)
            let beyond = try await Curl.run(auth + ["-H", "Range: bytes=\(size)-", url])
            #expect(beyond.status == 416)
            #expect(beyond.headers.contains("Content-Range: bytes */\(size)"))
        }
    }

    @Test func aDownloadIsSavedWithTheExtensionOfItsDetectedType() async throws {
        try await TestServer.with { server in
            let created = try await Curl.run(
                ApplicationFields.curlArguments(ApplicationFields.workplaceClinic) + [
                    "-F", "opening_notification=@\(Fixtures.path("tiny-reportlab.pdf"));filename=permit.xlsm",
                    "-F", "opening_permit=@\(Fixtures.path("scan-pillow.png"));filename=開設許可書",
                    server.baseURL + "/api/v1/applications",
                ])
            let id = try #require(created.json["id"] as? String, "\(created.text)")
            let token = try await ReviewerAdmin(metadata: try server.stores().metadata).add(name: "sato")
            let auth = ["-H", "Authorization: Bearer \(token)"]
            for (slot, saved) in [("opening_notification", "permit.pdf"), ("opening_permit", "開設許可書.png")] {
                let download = try await Curl.run(auth + [server.baseURL + "/api/v1/review/applications/\(id)/documents/\(slot)"])
                #expect(download.status == 200)
                let disposition = download.headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-disposition:") }
                let extended = disposition?.components(separatedBy: "filename*=UTF-8''").last?.removingPercentEncoding
                #expect(extended == saved, "\(String(describing: disposition))")
            }
            // The original name stays what the applicant sent, for the reviewer to see.
            let detail = try await Curl.run(auth + [server.baseURL + "/api/v1/review/applications/\(id)"])
            let names = (detail.json["documents"] as? [[String: Any]] ?? []).compactMap { $0["filename"] as? String }
            #expect(Set(names) == ["permit.xlsm", "開設許可書"], "\(detail.text)")
        }
    }

    @Test func onlyAWorkplaceClinicCanBeReturned() async throws {
        try await TestServer.with { server in
            let created = try await Curl.run(ApplicationFields.curlArguments(ApplicationFields.medical) + [server.baseURL + "/api/v1/applications"])
            let id = try #require(created.json["id"] as? String)
            let token = try await ReviewerAdmin(metadata: try server.stores().metadata).add(name: "sato")
            let decide = { (body: String) in
                try await Curl.run([
                    "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json", "--data", body,
                    server.baseURL + "/api/v1/review/applications/\(id)/decision",
                ])
            }
            let returned = try await decide(#"{"decision":"return","reason":"不備"}"#)
            #expect(returned.status == 409)
            let approved = try await decide(#"{"decision":"approve"}"#)
            #expect(approved.status == 200)
            #expect(approved.json["status"] as? String == "approved")
        }
    }
}
