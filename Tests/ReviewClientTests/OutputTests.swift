import DisplayText
import Foundation
import Testing

@testable import ReviewClient

struct OutputTests {
    @Test func terminalTextLosesEscapesAndBidiOverrides() {
        #expect(TerminalText.clean("a\u{1B}[2Jb\u{202E}c\nd\te") == "a\u{FFFD}[2Jb\u{FFFD}c d e")
    }

    @Test func japaneseTakesTwoColumns() {
        #expect(DisplayWidth.of("開設abc") == 7)
        #expect(DisplayWidth.of("ｶﾀｶﾅ") == 4, "half-width katakana is narrow")
        #expect(DisplayWidth.of("が") == 2)
        #expect(DisplayWidth.pad("審査", to: 6) == "審査  ")
    }

    @Test func theTableAlignsColumnsAndPutsTheNameLast() async throws {
        let rows = try ReviewJSON.decode(
            [ApplicationSummary].self,
            from: Data(
                """
                [{"id":"a1","receipt_number":"20261126-AAAAAA","status":"under_review","institution_kind":"workplace_clinic","institution_name":"株式会社テスト\\u001b[31m 診療所","created_at":"2026-11-26T04:29:40Z","updated_at":"2026-11-26T04:29:40Z","document_count":2},
                 {"id":"a-longer-id","receipt_number":"20261126-BBBBBB","status":"submitted","institution_kind":"medical","institution_name":"広島テスト医院","created_at":"2026-11-27T00:00:00Z","updated_at":"2026-11-27T00:00:00Z","document_count":0}]
                """.utf8))
        let lines = ApplicationTable.render(rows).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("ID           RECEIPT"))
        // Labels, not codes; Japan time with its offset; no 再申請 yet.
        #expect(
            lines[1].hasPrefix(
                "a1           20261126-AAAAAA  under_review (審査中)  -                  職域診療所  2     2026-11-26 13:29:40 +09:00  株式会社テスト\u{FFFD}[31m 診療所"
            ),
            "\(lines[1])")
        #expect(lines[2].hasSuffix("広島テスト医院"))
        let receiptColumn = lines[0].range(of: "RECEIPT")!.lowerBound.utf16Offset(in: lines[0])
        #expect(lines[2].range(of: "20261126-BBBBBB")!.lowerBound.utf16Offset(in: lines[2]) == receiptColumn)
    }

    @Test func theReportShowsFieldsDocumentsAndHistorySafely() async throws {
        let application = try ReviewJSON.decode(ApplicationDetail.self, from: Data(ReviewClientTests.detail.utf8))
        let report = ApplicationReport.render(application)
        #expect(report.contains("status          under_review (審査中)"))
        #expect(report.contains("  institution_name         医療機関等名                株式会社テスト"), "columns line up by display width")
        #expect(report.contains("株式会社テスト\u{FFFD}[2J 診療所"))
        #expect(!report.contains("\u{1B}"))
        #expect(report.contains("superseded 2026-11-25 10:00:00 +09:00"), "Japan time with its offset")
        #expect(report.contains("name      開設許可書の写し.png"))
        #expect(report.contains("institution_code: 検証番号が一致しません。 / Check digit mismatch."))
        #expect(report.contains("by reviewer:sato  under_review (審査中) → returned (差戻し)"))
        #expect(report.contains("reason: 写しが不鮮明です。 再提出してください。"))
    }

    @Test func jsonOutputKeepsTheServersKeys() async throws {
        let application = try ReviewJSON.decode(ApplicationDetail.self, from: Data(ReviewClientTests.detail.utf8))
        let json = try ReviewOutput.json(application)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["receipt_number"] as? String == "20261126-7KQ2MX")
        #expect(object["created_at"] as? String == "2026-11-20T01:00:00Z")
        #expect(((object["documents"] as? [[String: Any]])?.first?["superseded_at"] as? String) == "2026-11-25T01:00:00Z")
    }

    @Test func theProgressLineShowsBarPercentAndSizes() {
        #expect(
            ProgressBar.line(label: "opening_permit", done: 512 * 1024, total: 1024 * 1024)
                == "opening_permit [############------------]  50%  512 KB / 1.0 MB")
        #expect(ProgressBar.line(label: "opening_permit", done: 3 * 1024 * 1024, total: nil) == "opening_permit 3.0 MB")
    }
}
