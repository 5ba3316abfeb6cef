import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import ReviewClient

struct ReviewClientTests {
    static func row(_ id: String) -> String {
        #"{"id":"\#(id)","receipt_number":"20261126-\#(id)","status":"submitted","institution_kind":"workplace_clinic","institution_name":"診療所","created_at":"2026-11-26T04:29:40Z","updated_at":"2026-11-26T04:29:40Z","document_count":2}"#
    }

    static let detail = #"""
        {"id":"app-1","receipt_number":"20261126-7KQ2MX","status":"under_review",
         "fields":{"institution_kind":"workplace_clinic","prefecture_code":"13","institution_name":"株式会社テスト\u001b[2J 診療所",
                   "application_kind":"change","line_type":"1","customer_id_type":"CAF","customer_id":"1234567890",
                   "planned_start_month":"2027-04","certificate_fee_payment":"invoice","contact_email":"clinic@example.jp"},
         "warnings":[{"field":"institution_code","code":"check_digit","message":"検証番号が一致しません。","message_en":"Check digit mismatch."}],
         "documents":[
           {"slot":"opening_permit","filename":"old.png","size":10,"sha256":"aa","type":"png","uploaded_at":"2026-11-20T01:00:00Z","superseded_at":"2026-11-25T01:00:00.123Z"},
           {"slot":"opening_permit","filename":"開設許可書の写し.png","size":20,"sha256":"bb","type":"png","uploaded_at":"2026-11-25T01:00:00Z","superseded_at":null}],
         "history":[
           {"at":"2026-11-20T01:00:00Z","action":"submit","actor":"applicant","from_status":null,"to_status":"submitted","reason":null},
           {"at":"2026-11-21T01:00:00Z","action":"return","actor":"reviewer:sato","from_status":"under_review","to_status":"returned","reason":"写しが不鮮明です。\n再提出してください。"}],
         "created_at":"2026-11-20T01:00:00Z","updated_at":"2026-11-26T04:29:40Z","extra":"ignored"}
        """#

    @Test func listingFollowsTheCursorToTheEnd() async throws {
        let transport = FakeTransport { _, index in
            index == 0
                ? Canned.json(#"{"applications":[\#(Self.row("A")),\#(Self.row("B"))],"next_cursor":"MTc5|x+/="}"#)
                : Canned.json(#"{"applications":[\#(Self.row("C"))],"next_cursor":null}"#)
        }
        let applications = try await transport.client().applications(status: "submitted,under_review")
        #expect(applications.map(\.id) == ["A", "B", "C"])
        #expect(applications.first?.documentCount == 2)
        let urls = transport.seen.map(\.url)
        #expect(
            urls == [
                "http://127.0.0.1:8080/api/v1/review/applications?limit=50&status=submitted,under_review",
                "http://127.0.0.1:8080/api/v1/review/applications?limit=50&status=submitted,under_review&after=MTc5%7Cx%2B%2F%3D",
            ])
    }

    @Test func aCursorThatRepeatsIsAnError() async throws {
        let transport = FakeTransport { _, _ in Canned.json(#"{"applications":[],"next_cursor":"same"}"#) }
        await #expect(throws: ReviewError.invalidResponse("the server returned the same page cursor twice")) {
            try await transport.client().applications(status: nil)
        }
        #expect(transport.seen.count == 2)
    }

    @Test func detailsDecodeWithCurrentAndSupersededDocuments() async throws {
        let transport = FakeTransport { _, _ in Canned.json(Self.detail) }
        let application = try await transport.client().application(id: "app 1/..")
        #expect(transport.seen.first?.url == "http://127.0.0.1:8080/api/v1/review/applications/app%201%2F..")
        #expect(application.documents.count == 2)
        #expect(application.currentDocuments.map(\.filename) == ["開設許可書の写し.png"])
        #expect(application.fields.institutionCode == nil)
        #expect(application.history.last?.actor == "reviewer:sato")
        #expect(application.createdAt == Date(timeIntervalSince1970: 1_795_136_400))
    }

    @Test func claimAndDecidePostToTheirEndpoints() async throws {
        let transport = FakeTransport { _, _ in Canned.json(Self.detail) }
        let client = try transport.client()
        _ = try await client.claim(id: "app-1")
        _ = try await client.decide(id: "app-1", .return, reason: "不鮮明")
        let seen = transport.seen
        #expect(seen.map(\.method) == [.POST, .POST])
        #expect(
            seen.map(\.url) == [
                "http://127.0.0.1:8080/api/v1/review/applications/app-1/claim",
                "http://127.0.0.1:8080/api/v1/review/applications/app-1/decision",
            ])
        #expect(seen.last?.headers["Content-Type"] == ["application/json"])
    }

    @Test func aConflictShowsTheServersJapaneseAndEnglishDetail() async throws {
        let transport = FakeTransport { _, _ in
            Canned.problem(
                .conflict, code: "status_conflict", detail: "現在の状態（審査完了）からは「claim」できません。",
                detailEn: "Cannot claim an application that is approved.")
        }
        do {
            _ = try await transport.client().claim(id: "app-1")
            Issue.record("no error")
        } catch let error as ReviewError {
            #expect(error.exitCause == .serverError)
            #expect(error.message.contains("conflict (409)"))
            #expect(error.message.contains("現在の状態（審査完了）からは「claim」できません。"))
            #expect(error.message.contains("Cannot claim an application that is approved."))
        }
    }

    @Test func authenticationFailuresSayWhichTokenIsWrong() async throws {
        let unauthorized = FakeTransport { _, _ in Canned.problem(.unauthorized, code: "unauthorized", detail: "d", detailEn: "e") }
        let forbidden = FakeTransport { _, _ in Canned.problem(.forbidden, code: "forbidden", detail: "d", detailEn: "e") }
        let unauthenticated = await #expect(throws: ReviewError.self) { try await unauthorized.client().application(id: "x") }
        #expect(unauthenticated?.exitCause == .authentication)
        #expect(unauthenticated?.message.contains("401") == true && unauthenticated?.message.contains("revoked") == true)
        let wrongRole = await #expect(throws: ReviewError.self) {
            try await forbidden.client(token: "dia_applicant").application(id: "x")
        }
        #expect(wrongRole?.exitCause == .authentication)
        #expect(wrongRole?.message.contains("applicant's token") == true)
        #expect(wrongRole?.message.contains("dia_applicant") == false, "never the token itself")
    }

    @Test func validationErrorsListEveryField() async throws {
        let body =
            #"{"status":422,"code":"validation_failed","detail":"理由が必要です。","detail_en":"A reason is required.","errors":[{"field":"reason","code":"required","message":"必須です。","message_en":"Required."}]}"#
        let transport = FakeTransport { _, _ in Canned.json(body, status: .unprocessableEntity) }
        do {
            _ = try await transport.client().decide(id: "x", .reject, reason: nil)
            Issue.record("no error")
        } catch let error as ReviewError {
            #expect(error.exitCause == .serverError)
            #expect(error.message.contains("422"))
            #expect(error.message.contains("reason: 必須です。 / Required."))
        }
    }

    @Test func anUnreachableServerIsNamed() async throws {
        let transport = FakeTransport { _, _ in throw HTTPClientError.connectTimeout }
        await #expect(throws: ReviewError.unreachable(server: "http://127.0.0.1:8080", reason: "the connection timed out")) {
            try await transport.client().application(id: "x")
        }
    }

    @Test func aBodyThatIsNotTheExpectedJSONIsReported() async throws {
        let transport = FakeTransport { _, _ in Canned.json("<html>proxy login</html>") }
        await #expect {
            try await transport.client().application(id: "x")
        } throws: { error in
            guard case ReviewError.invalidResponse = error else { return false }
            return true
        }
    }

    @Test func aRedirectIsNotFollowedButReported() async throws {
        let transport = FakeTransport { _, _ in
            HTTPClientResponse(status: .found, headers: ["Location": "https://elsewhere.example/"])
        }
        await #expect {
            try await transport.client().application(id: "x")
        } throws: { error in
            guard case ReviewError.invalidResponse(let text) = error else { return false }
            return text.contains("https://elsewhere.example/")
        }
    }
}
