import Foundation
import Storage
import Testing

@testable import DocIntake

/// The four notices as text and as RFC 5322 files, decoded by Python's `email` package.
@Suite struct NoticeRenderingTests {
    static let secretNumber = ApplicationFields.workplaceClinic["secret_number"]!
    static let createdAt = Date(timeIntervalSince1970: 1_795_000_000)

    /// A submission row as IntakeService queues it, from a validated form.
    static func submission(fields: [String: String] = ApplicationFields.workplaceClinic) throws -> OutboxMessage {
        let slots: Set<DocumentSlot> = fields["institution_kind"] == "workplace_clinic" ? Set(DocumentSlot.allCases) : []
        let form = try ApplicationForm.validate(fields: fields, uploadedSlots: slots).get()
        let documents =
            slots.isEmpty
            ? []
            : [
                DocumentRecord(
                    applicationId: "app-1", slot: .openingNotification, blobSha256: String(repeating: "a", count: 64),
                    size: 1_234_567, originalFilename: "開設届の写し.pdf", detectedType: "pdf", mimeType: "application/pdf",
                    uploadedAt: createdAt),
                DocumentRecord(
                    applicationId: "app-1", slot: .openingPermit, blobSha256: String(repeating: "b", count: 64),
                    size: 987, originalFilename: "許可書 スキャン.png", detectedType: "png", mimeType: "image/png",
                    uploadedAt: createdAt),
            ]
        var message = OutboxMessage(
            applicationId: "app-1", kind: "submission", recipient: "clinic@example.jp",
            payload: try SubmissionNotice(form: form, documents: documents).json(receiptNumber: "R-20261126-0001"),
            createdAt: createdAt)
        message.eventKey = "submission:audit:1"
        return message
    }

    static func decision(_ kind: NoticeKind, reason: String?) throws -> OutboxMessage {
        let payload = try DecisionNotice(
            receiptNumber: "R-20261126-0001", institutionName: "株式会社テスト 健康管理室診療所",
            decision: kind.rawValue, reason: reason
        ).json()
        var message = OutboxMessage(
            applicationId: "app-1", kind: kind.rawValue, recipient: "clinic@example.jp",
            payload: payload, createdAt: createdAt)
        message.eventKey = "\(kind.rawValue):audit:7"
        return message
    }

    @Test func theWorkplaceClinicsSubmissionNoticeRepeatsTheItemsAndListsTheDocuments() async throws {
        let notice = try NoticeRenderer().render(try Self.submission())
        #expect(notice.subject == "オンライン資格確認申請受付のご案内")
        for line in [
            "受付番号: R-20261126-0001",
            "審査を行います",
            "申請区分: 新規",
            "医療機関等名: 株式会社テスト 健康管理室診療所",
            "電気通信回線種別: IP-VPN回線事業者（NTTなど、ただし、CTC・QTnetを除く）",
            "お客さまID: CAF1234567890",
            "利用開始予定年月: 2027年4月",
            "テスト開始予定年月: 未定",
            "電子証明書発行料の支払方法: 払込請求書による振込み",
            "・開設届の写し: 開設届の写し.pdf（1,234,567 バイト）",
            "・開設許可書の写し: 許可書 スキャン.png（987 バイト）",
        ] {
            #expect(notice.body.contains(line), "missing \(line) in\n\(notice.body)")
        }
        #expect(!notice.body.contains(Self.secretNumber))
        #expect(!notice.body.contains("&"), "plain text: nothing HTML-escaped")
    }

    @Test func anUnreviewedKindsSubmissionNoticeHasNoReviewAndNoDocuments() async throws {
        var fields = ApplicationFields.medical
        fields["planned_test_month"] = "2027-02"
        let notice = try NoticeRenderer().render(try Self.submission(fields: fields))
        #expect(notice.body.contains("医療機関等名: 広島テスト医院"))
        #expect(notice.body.contains("テスト開始予定年月: 2027年2月"))
        #expect(notice.body.contains("電子証明書発行料の支払方法: 診療報酬支払額から控除"))
        #expect(!notice.body.contains("審査"))
        #expect(!notice.body.contains("添付書類"))
    }

    @Test(arguments: [
        (NoticeKind.approval, "オンライン資格確認等システムマスタアカウント情報通知と運用開始日登録のご案内", nil as String?),
        (NoticeKind.return, "オンライン資格確認申請差戻しのご案内", "開設許可書の写しが不鮮明です。撮影し直してください。"),
        (NoticeKind.rejection, "オンライン資格確認申請却下のご案内", "職域診療所ではないため <申請対象外> です & 再申請不可"),
    ])
    func aDecisionNoticeNamesTheApplicationAndGivesTheReason(kind: NoticeKind, subject: String, reason: String?) async throws {
        let notice = try NoticeRenderer().render(try Self.decision(kind, reason: reason))
        #expect(notice.subject == subject)
        #expect(notice.body.contains("株式会社テスト 健康管理室診療所 ご担当者様"))
        #expect(notice.body.contains("受付番号: R-20261126-0001"))
        if let reason { #expect(notice.body.contains(reason), "the reason verbatim, not HTML-escaped") }
    }

    @Test func anUnknownKindIsAnErrorNotAnEmptyEmail() async throws {
        var message = try Self.decision(.approval, reason: nil)
        message.kind = "welcome"
        #expect(throws: NoticeError.self) { try NoticeRenderer().render(message) }
        message.kind = "submission"
        #expect(throws: NoticeError.self) { try NoticeRenderer().render(message) }
    }

    @Test func everyKindIsAWellFormedEmailThatAMailClientDecodes() async throws {
        let directory = NSTemporaryDirectory() + "notices-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let transport = try FileNoticeTransport(directory: directory)
        let renderer = try NoticeRenderer()
        let rows = [
            try Self.submission(), try Self.decision(.approval, reason: nil),
            try Self.decision(.return, reason: "不鮮明"), try Self.decision(.rejection, reason: "対象外"),
        ]
        var paths: [String] = []
        for row in rows {
            let message = MailMessage(notice: row, rendered: try renderer.render(row), from: "no-reply@example.jp")
            try transport.deliver(message)
            paths.append(transport.path(of: message))
        }
        let emails = try await EMLReader.read(paths)
        try #require(emails.count == 4)
        for (row, email) in zip(rows, emails) {
            let kind = try #require(NoticeKind(rawValue: row.kind))
            #expect(email["subject"] as? String == kind.subject)
            #expect(email["from"] as? String == "no-reply@example.jp")
            #expect(email["to"] as? String == "clinic@example.jp")
            #expect(email["message_id"] as? String == "<\(row.kind)-audit-\(row.kind == "submission" ? 1 : 7).app-1@example.jp>")
            #expect(email["date"] as? String == "Wed, 18 Nov 2026 20:06:40 +0900")
            #expect(email["content_type"] as? String == "text/plain")
            #expect(email["charset"] as? String == "utf-8")
            #expect(email["transfer_encoding"] as? String == "base64")
            #expect(email["mime_version"] as? String == "1.0")
            #expect((email["defects"] as? [Any])?.isEmpty == true, "\(email["defects"] ?? "")")
            #expect(email["headers_ascii"] as? Bool == true, "non-ASCII travels only MIME-encoded")
            #expect(email["bare_lf"] as? Bool == false, "every line ends in CRLF")
            #expect(email["ends_with_crlf"] as? Bool == true)
            #expect((email["longest_line"] as? Int ?? 999) <= 78)
            let body = try #require(email["body"] as? String)
            #expect(body == (try renderer.render(row)).body)
            #expect(!body.contains(Self.secretNumber))
        }
    }

    @Test func deliveringTheSameNoticeAgainRewritesOneIdenticalFile() async throws {
        let directory = NSTemporaryDirectory() + "notices-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let transport = try FileNoticeTransport(directory: directory)
        let row = try Self.submission()
        let message = MailMessage(notice: row, rendered: try NoticeRenderer().render(row), from: "no-reply@localhost")
        try transport.deliver(message)
        let first = try Data(contentsOf: URL(fileURLWithPath: transport.path(of: message)))
        try transport.deliver(MailMessage(notice: row, rendered: try NoticeRenderer().render(row), from: "no-reply@localhost"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["submission-audit-1.eml"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: transport.path(of: message))) == first)
    }

    @Test func anAddressWithALineBreakCannotInjectAHeader() async throws {
        var row = try Self.submission()
        row.recipient = "clinic@example.jp\r\nBcc: someone@example.com"
        let message = MailMessage(notice: row, rendered: try NoticeRenderer().render(row), from: "no-reply@localhost")
        #expect(throws: NoticeError.self) { try message.encoded() }
    }

    @Test func retriesBackOffByDoublingUpToTheCap() {
        let configuration = NoticeConfiguration()
        #expect(configuration.retryDelay(afterAttempts: 1) == .seconds(10))
        #expect(configuration.retryDelay(afterAttempts: 2) == .seconds(20))
        #expect(configuration.retryDelay(afterAttempts: 5) == .seconds(160))
        #expect(configuration.retryDelay(afterAttempts: 9) == .seconds(2560))
        #expect(configuration.retryDelay(afterAttempts: 10) == .seconds(3600))
        #expect(configuration.retryDelay(afterAttempts: 1000) == .seconds(3600))
    }
}
