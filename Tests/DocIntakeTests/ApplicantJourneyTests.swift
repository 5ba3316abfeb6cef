import Foundation
import Storage
import Testing

@testable import DocIntake

/// What an applicant sees of their application (only their own journey, in Japanese), the
/// corrections they may make after a return, and what a resubmission tells applicant and reviewer.
@Suite struct ApplicantJourneyTests {
    /// A returned application, by HTTP as applicant and reviewer would do it, with the internal
    /// records an applicant must never see: a reviewer's download and an operator's legal hold.
    struct Returned {
        let server: TestServer
        let id: String
        let applicant: [String]
        let reviewer: [String]
        var applicationURL: String { server.baseURL + "/api/v1/applications/\(id)" }
        var reviewURL: String { server.baseURL + "/api/v1/review/applications/\(id)" }

        static func make(_ server: TestServer) async throws -> Returned {
            let created = try await server.submitWorkplaceClinic()
            let id = try #require(created.json["id"] as? String)
            let token = try #require(created.json["access_token"] as? String)
            let stores = try await server.stores()
            let reviewerToken = try await ReviewerAdmin(metadata: stores.metadata).add(name: "sato-internal")
            let returned = Returned(
                server: server, id: id, applicant: ["-H", "Authorization: Bearer \(token)"],
                reviewer: ["-H", "Authorization: Bearer \(reviewerToken)"])
            #expect(try await Curl.run(returned.reviewer + ["-X", "POST", returned.reviewURL + "/claim"]).status == 200)
            #expect(try await Curl.run(returned.reviewer + [returned.reviewURL + "/documents/opening_permit"]).status == 200)
            try await LegalHoldAdmin(metadata: stores.metadata).set(applicationId: id, reason: "訴訟対応の内部メモ", by: .person("root"))
            let decided = try await Curl.run(
                returned.reviewer + [
                    "-X", "POST", "-H", "Content-Type: application/json",
                    "-d", #"{"decision":"return","reason":"開設許可書の写しが不鮮明です"}"#, returned.reviewURL + "/decision",
                ])
            #expect(decided.status == 200)
            return returned
        }

        func correct(_ fields: [String: String]) async throws -> Curl.Result {
            let body = String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
            return try await Curl.run(applicant + ["-X", "PATCH", "-H", "Content-Type: application/json", "-d", body, applicationURL])
        }

        func resubmit(confirmUnchanged: Bool = false) async throws -> Curl.Result {
            try await Curl.run(
                applicant + [
                    "-X", "POST", "-H", "Content-Type: application/json",
                    "-d", confirmUnchanged ? #"{"confirm_unchanged":true}"# : "{}", applicationURL + "/resubmit",
                ])
        }
    }

    @Test func theApplicantSeesOnlyTheirOwnJourneyInJapanese() async throws {
        try await TestServer.with { server in
            let returned = try await Returned.make(server)
            let replaced = try await Curl.run(
                returned.applicant + [
                    "-X", "PUT", "-F", "opening_permit=@\(Fixtures.path("開設許可書の写し.png"))", returned.applicationURL + "/documents/opening_permit",
                ])
            #expect(replaced.status == 200)
            #expect(try await returned.correct(["institution_name": "株式会社テスト 診療所（修正）"]).status == 200)
            #expect(try await returned.resubmit().status == 200)

            // The internal records exist, so their absence below is the filter's doing.
            let reviewerView = try await Curl.run(returned.reviewer + [returned.reviewURL])
            let internalActions = (reviewerView.json["history"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(internalActions.contains("download") && internalActions.contains("legal_hold_set"))
            #expect(reviewerView.text.contains("sato-internal") && reviewerView.text.contains("訴訟対応の内部メモ"))

            let view = try await Curl.run(returned.applicant + [returned.applicationURL])
            #expect(view.status == 200)
            for leak in ["sato-internal", "reviewer", "operator", "root", "download", "legal_hold", "訴訟対応", "actor"] {
                #expect(!view.text.contains(leak), "the applicant's view mentions \(leak): \(view.text)")
            }
            let history = view.json["history"] as? [[String: Any]] ?? []
            #expect(history.compactMap { $0["label"] as? String } == ["受付", "審査開始", "差戻し", "書類の差し替え", "申請内容の修正", "再申請"])
            #expect(
                history.compactMap { $0["event"] as? String }
                    == ["received", "review_started", "returned", "document_replaced", "fields_corrected", "resubmitted"])
            #expect(history[2]["reason"] as? String == "開設許可書の写しが不鮮明です")
            #expect(history[3]["note"] as? String == "開設許可書の写し")
            #expect(history[4]["note"] as? String == "医療機関等名")
        }
    }

    @Test func aReturnedApplicationsFieldsAreCorrectedWithTheFormsRulesAndAudited() async throws {
        try await TestServer.with { server in
            let returned = try await Returned.make(server)
            let invalid = try await returned.correct([
                "customer_id": "12345", "customer_id_confirmation": "12345", "planned_start_month": "2027-13",
                "secret_number": "9999", "institution_kind": "medical",
            ])
            #expect(invalid.status == 422)
            #expect(
                invalid.fieldCodes == [
                    "customer_id": "format", "planned_start_month": "format",
                    "secret_number": "not_allowed", "institution_kind": "not_allowed",
                ])
            let messages = Dictionary(
                uniqueKeysWithValues: (invalid.json["errors"] as? [[String: Any]] ?? []).compactMap { error in
                    (error["field"] as? String).map { ($0, error["message"] as? String ?? "") }
                })
            #expect(messages["customer_id"] == FormMessages.Message.customerIdFormat.ja, "the form's own message")
            #expect(messages["secret_number"] == FormMessages.secretNotCorrectable.ja)
            #expect(
                try await returned.correct(["customer_id": "0987654321", "customer_id_confirmation": "0987654320"])
                    .fieldCodes == ["customer_id_confirmation": "mismatch"])

            let corrected = try await returned.correct([
                "customer_id": "０９８７６５４３２１", "customer_id_confirmation": "0987654321", "planned_test_month": "2027-06",
            ])
            #expect(corrected.status == 200, "\(corrected.text)")
            let fields = corrected.json["fields"] as? [String: Any] ?? [:]
            #expect(fields["customer_id"] as? String == "0987654321", "normalised as the form is")
            #expect(fields["planned_test_month"] as? String == "2027-06")

            let audit = try await server.stores().metadata.auditLog(applicationId: returned.id).filter { $0.action == "correct_fields" }
            #expect(audit.count == 1)
            let changes = AuditDetail(try #require(audit.first)).changes ?? []
            #expect(changes.map(\.field) == ["customer_id", "planned_test_month"])
            #expect(changes.first?.old == "1234567890" && changes.first?.new == "0987654321")
            #expect(changes.last?.old == nil && changes.last?.new == "2027-06")
            let detail = audit.first?.detail ?? ""
            #expect(!detail.contains("secret") && !detail.contains("0000"), "neither the secret number nor its placeholder: \(detail)")

            let review = try await Curl.run(returned.reviewer + [returned.reviewURL])
            let seen = review.json["changes_since_return"] as? [[String: Any]] ?? []
            #expect(seen.compactMap { $0["item"] as? String } == ["customer_id", "planned_test_month"])
            #expect(seen.first?["old"] as? String == "1234567890" && seen.first?["label"] as? String == "お客さまID")

            #expect(try await returned.resubmit().status == 200)
            #expect(try await returned.correct(["institution_name": "後から"]).status == 409, "only while returned")
        }
    }

    @Test func aResubmissionIsConfirmedWhenUnchangedNoticedAndMarkedForReviewers() async throws {
        try await TestServer.with { server in
            let returned = try await Returned.make(server)
            let unconfirmed = try await returned.resubmit()
            #expect(unconfirmed.status == 409)
            #expect(unconfirmed.json["code"] as? String == "nothing_changed")
            let list = try await Curl.run(returned.reviewer + [server.baseURL + "/api/v1/review/applications?status=all"])
            #expect((list.json["applications"] as? [[String: Any]])?.first?["resubmitted_at"] == nil)

            let confirmed = try await returned.resubmit(confirmUnchanged: true)
            #expect(confirmed.status == 200)
            #expect(confirmed.json["status"] as? String == "submitted")

            let notices = try await server.stores().metadata.notices(applicationId: returned.id)
            let resubmission = try #require(notices.first { $0.kind == "resubmission" }, "a 再申請受付 notice is queued")
            let rendered = try NoticeRenderer().render(resubmission)
            #expect(rendered.subject == "オンライン資格確認申請 再申請受付のご案内")
            #expect(rendered.body.contains("審査を再開します") && rendered.body.contains("変更はありません"))

            let marked = try await Curl.run(returned.reviewer + [server.baseURL + "/api/v1/review/applications"])
            let row = (marked.json["applications"] as? [[String: Any]] ?? []).first { $0["id"] as? String == returned.id }
            #expect(row?["resubmitted_at"] as? String != nil, "the list marks it 再申請")
            let detail = try await Curl.run(returned.reviewer + [returned.reviewURL])
            #expect(detail.json["resubmitted_at"] as? String == row?["resubmitted_at"] as? String)
        }
    }

    @Test func theResubmissionNoticeSaysWhatChanged() async throws {
        try await TestServer.with { server in
            let returned = try await Returned.make(server)
            #expect(
                try await Curl.run(
                    returned.applicant + [
                        "-X", "PUT", "-F", "opening_notification=@\(Fixtures.path("tiny-reportlab.pdf"))",
                        returned.applicationURL + "/documents/opening_notification",
                    ]
                ).status == 200)
            #expect(try await returned.correct(["contact_email": "new@example.jp"]).status == 200)
            #expect(try await returned.resubmit().status == 200)
            let notice = try #require(try await server.stores().metadata.notices(applicationId: returned.id).first { $0.kind == "resubmission" })
            #expect(notice.recipient == "new@example.jp", "sent where the applicant now reads mail")
            let body = try NoticeRenderer().render(notice).body
            #expect(body.contains("書類の差し替え: 開設届の写し") && body.contains("申請内容の修正: 連絡先メールアドレス"))
            #expect(!body.contains("変更はありません"))
        }
    }
}
