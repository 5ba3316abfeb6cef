import Foundation
import Storage
import Testing

@testable import DocIntake

/// The applicant's side of a return (差戻し): replace a document, then resubmit.
@Suite struct ReturnAndReplaceTests {
    @Test func aReturnedApplicationGetsANewDocumentAndIsResubmitted() async throws {
        try await TestServer.with { server in
            let created = try await server.submitWorkplaceClinic()
            let id = try #require(created.json["id"] as? String)
            let token = try #require(created.json["access_token"] as? String)
            let auth = ["-H", "Authorization: Bearer \(token)"]
            let documentURL = server.baseURL + "/api/v1/applications/\(id)/documents/opening_permit"
            let replacement = ["-X", "PUT", "-F", "opening_permit=@\(Fixtures.path("開設許可書の写し.png"))", documentURL]

            let tooEarly = try await Curl.run(auth + replacement)
            #expect(tooEarly.status == 409, "a new application may not change documents while submitted")

            let stores = try await server.stores()
            let reviewer = ReviewService(blobs: stores.blobs, metadata: stores.metadata)
            _ = try await ReviewerAdmin(metadata: stores.metadata).add(name: "sato")
            let sato = try await #require(try stores.metadata.reviewers().first)
            _ = try await reviewer.claim(id, by: sato)
            _ = try await reviewer.decide(id, decision: .return, reason: "開設許可書の写しが不鮮明です", by: sato)

            let wrongSlotName = try await Curl.run(
                auth + ["-X", "PUT", "-F", "opening_notification=@\(Fixtures.path("tiny-reportlab.pdf"))", documentURL])
            #expect(wrongSlotName.status == 422)
            #expect(wrongSlotName.json["code"] as? String == "unknown_part")

            let replaced = try await Curl.run(auth + replacement)
            #expect(replaced.status == 200, "\(replaced.text)")
            #expect(replaced.json["filename"] as? String == "開設許可書の写し.png")

            let resubmitted = try await Curl.run(auth + ["-X", "POST", server.baseURL + "/api/v1/applications/\(id)/resubmit"])
            #expect(resubmitted.status == 200)
            #expect(resubmitted.json["status"] as? String == "submitted")
            let documents = try #require(resubmitted.json["documents"] as? [[String: Any]])
            let permits = documents.filter { $0["slot"] as? String == "opening_permit" }
            #expect(permits.count == 2)
            #expect(permits.filter { $0["superseded_at"] != nil }.count == 1, "the old permit is kept, superseded")
            let history = (resubmitted.json["history"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? String }
            #expect(history == ["received", "review_started", "returned", "document_replaced", "resubmitted"])
            #expect(try server.tempFiles().isEmpty)
        }
    }
}
