import Foundation
import Storage
import Testing

@testable import DocIntake

/// What every notice leads to (issue 14): the status page under `--public-url` and the contact
/// point (窓口); the approval notice says where the master account information is obtained.
@Suite struct NoticeLinkTests {
    static let configuration = NoticeConfiguration(publicURL: "https://docintake.example.jp/", contact: "利用申請受付窓口 03-1234-5678")

    static func rows() throws -> [OutboxMessage] {
        var resubmission = OutboxMessage(
            applicationId: "app-1", kind: NoticeKind.resubmission.rawValue, recipient: "clinic@example.jp",
            payload: try ResubmissionNotice(
                receiptNumber: "R-1", institutionName: "テスト診療所", replacedDocuments: ["開設届の写し"],
                correctedFields: []
            ).json(),
            createdAt: NoticeRenderingTests.createdAt)
        resubmission.eventKey = "resubmission:audit:9"
        var link = OutboxMessage(
            applicationId: "app-1", kind: NoticeKind.accessLink.rawValue, recipient: "clinic@example.jp",
            payload: try AccessLinkNotice(receiptNumber: "R-1", institutionName: "テスト診療所").json(), createdAt: NoticeRenderingTests.createdAt)
        link.eventKey = "access_link:audit:10"
        return [
            try NoticeRenderingTests.submission(), try NoticeRenderingTests.decision(.approval, reason: nil),
            try NoticeRenderingTests.decision(.return, reason: "不鮮明"), try NoticeRenderingTests.decision(.rejection, reason: "対象外"),
            resubmission, link,
        ]
    }

    @Test func everyKindLinksTheStatusPageAndNamesTheContactPoint() async throws {
        let renderer = try NoticeRenderer(configuration: Self.configuration)
        let rows = try Self.rows()
        #expect(Set(rows.map(\.kind)) == Set(NoticeKind.allCases.map(\.rawValue)), "every kind is checked")
        for row in rows {
            let body = try renderer.render(row, accessToken: "dia_test").body
            #expect(body.contains("https://docintake.example.jp/applications/app-1"), "\(row.kind) links the status page:\n\(body)")
            #expect(body.contains("利用申請受付窓口 03-1234-5678"), "\(row.kind) names the contact point")
        }
    }

    @Test func theApprovalNoticeSaysWhereTheMasterAccountInformationIsObtained() async throws {
        let body = try NoticeRenderer(configuration: Self.configuration).render(try NoticeRenderingTests.decision(.approval, reason: nil)).body
        #expect(body.contains("マスタアカウント情報（ログインID・初期パスワード）は、\(DomainFacts.masterAccountInformationSource)。"))
    }

    @Test func onlyTheAccessLinkCarriesAToken() async throws {
        let renderer = try NoticeRenderer(configuration: Self.configuration)
        for row in try Self.rows() {
            let body = try renderer.render(row, accessToken: row.kind == NoticeKind.accessLink.rawValue ? "dia_secret" : nil).body
            #expect(body.contains("#token=dia_secret") == (row.kind == NoticeKind.accessLink.rawValue), "\(row.kind)")
        }
        let link = try #require(try Self.rows().last)
        #expect(throws: NoticeError.self, "no link without its new token") { try renderer.render(link) }
    }
}
