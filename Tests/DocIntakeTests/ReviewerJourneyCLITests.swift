import DocIntake
import Foundation
import Testing

/// The reviewer's and operator's CLIs as a new user tries them (issue 14): the 受付番号 as the
/// handle, the connection options before the command, a missing output folder, Japanese labels,
/// Japan time, tables aligned by display width, the 再申請 mark, and plain words when nothing is pending.
@Suite(.serialized) struct ReviewerJourneyCLITests {
    static func review(_ server: TestServer, token: String, _ arguments: [String]) async throws -> Program.Result {
        try await Program.run(try Program.reviewBinary(), arguments, environment: ["DOCINTAKE_SERVER": server.baseURL, "DOCINTAKE_TOKEN": token])
    }

    /// Terminal columns, East Asian wide characters taking two.
    static func columns(_ text: Substring) -> Int {
        text.unicodeScalars.reduce(0) { width, scalar in
            let wide =
                (0x1100...0x115F).contains(scalar.value) || (0x2E80...0xA4CF).contains(scalar.value)
                || (0xAC00...0xD7A3).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value) || (0xFF00...0xFF60).contains(scalar.value)
            return width + (wide ? 2 : 1)
        }
    }

    @Test func theReceiptNumberNamesAnApplicationEverywhere() async throws {
        try await TestServer.with { server in
            let application = try await ReviewCLITests.submit(server)
            let token = try await ReviewCLITests.reviewerToken(server)
            let receipt = application.receiptNumber
            let base = NSTemporaryDirectory() + "review-journey-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: base) }

            // --server and --token before the command's name, and no environment at all.
            let shown = try await Program.run(
                try Program.reviewBinary(),
                ["--server", server.baseURL, "--token=\(token)", "show", receipt.lowercased()])
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.contains("Application \(application.id)"), "a lower-case 受付番号 names the application")

            let listed = try await Self.review(server, token: token, ["list", "--receipt", receipt, "--json"])
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
            #expect(rows.map { $0["id"] as? String } == [application.id])
            let none = try await Self.review(server, token: token, ["list", "--receipt", "20000101-000000", "--json"])
            let nothing = try JSONSerialization.jsonObject(with: Data(none.stdout.utf8)) as? [Any]
            #expect(none.status == 0 && nothing?.isEmpty == true, "an unknown 受付番号 lists nothing: \(none.stdout)")

            #expect(try await Self.review(server, token: token, ["claim", receipt]).status == 0)
            let output = base + "/new/review"
            let downloaded = try await Self.review(server, token: token, ["download", receipt, "--output", output])
            #expect(downloaded.status == 0, "the missing folder is created: \(downloaded.stderr)")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []).count == 2)

            let hold = try await Program.run(
                try Program.docintakeBinary(),
                ["hold", "set", receipt, "--reason", "確認中", "--data-dir", server.dataDirectory])
            #expect(hold.status == 0, "\(hold.stderr)")
            #expect(try await server.stores().metadata.legalHolds().map(\.applicationId) == [application.id])

            let returned = try await Self.review(server, token: token, ["decide", receipt, "return", "--reason", "不鮮明です"])
            #expect(returned.status == 0, "\(returned.stderr)")
            #expect(try await server.stores().metadata.application(id: application.id)?.status == .returned)
        }
    }

    @Test func listAndShowSpeakJapaneseInJapanTimeAndMarkAResubmission() async throws {
        try await TestServer.with { server in
            let application = try await ReviewCLITests.submit(server)
            let token = try await ReviewCLITests.reviewerToken(server)
            let auth = ["-H", "Authorization: Bearer \(application.applicantToken)"]
            let url = server.baseURL + "/api/v1/applications/\(application.id)"
            #expect(try await Self.review(server, token: token, ["claim", application.id]).status == 0)
            #expect(try await Self.review(server, token: token, ["decide", application.id, "return", "--reason", "IDが違います"]).status == 0)
            #expect(
                try await Curl.run(
                    auth + [
                        "-X", "PATCH", "-H", "Content-Type: application/json", "-d",
                        #"{"customer_id":"0987654321","customer_id_confirmation":"0987654321"}"#, url,
                    ]
                ).status == 200)
            #expect(try await Curl.run(auth + ["-X", "POST", url + "/resubmit"]).status == 200)

            let table = try await Self.review(server, token: token, ["list"])
            #expect(table.status == 0, "\(table.stderr)")
            let lines = table.stdout.split(separator: "\n")
            let row = try #require(lines.first { $0.contains(application.receiptNumber) })
            #expect(row.contains("職域診療所") && !row.contains("workplace_clinic"), "labels, not codes: \(row)")
            #expect(row.contains("再申請 ") && row.contains("+09:00"), "the 再申請 mark with its time in JST: \(row)")
            // The columns after a Japanese one start where their headers do, in display columns.
            let header = try #require(lines.first)
            let afterKind = row[row.range(of: "職域診療所")!.upperBound...].drop { $0 == " " }
            #expect(
                Self.columns(header[..<header.range(of: "DOCS")!.lowerBound]) == Self.columns(row[..<afterKind.startIndex]),
                "DOCS lines up after 職域診療所:\n\(header)\n\(row)")
            let namePosition = Self.columns(header[..<header.range(of: "NAME")!.lowerBound])
            let rowName = Self.columns(row[..<row.range(of: "株式会社テスト")!.lowerBound])
            #expect(namePosition == rowName, "NAME starts at column \(namePosition) in the header and \(rowName) in the row")

            let shown = try await Self.review(server, token: token, ["show", application.receiptNumber])
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.contains("職域診療所") && shown.stdout.contains("2: 払込請求書による振込み"))
            // No UTC time (…:SSZ); a bare "Z\n" also matched a 受付番号 that happens to end in Z.
            #expect(
                shown.stdout.contains("+09:00") && shown.stdout.range(of: #"\d:\d\d(\.\d+)?Z"#, options: .regularExpression) == nil,
                "times in JST with the offset")
            #expect(shown.stdout.contains("再申請 "))
            #expect(shown.stdout.contains("お客さまID: 1234567890 → 0987654321"), "what changed since the return:\n\(shown.stdout)")
        }
    }

    @Test func noticesSaysPlainlyWhenNothingIsPending() async throws {
        let directory = NSTemporaryDirectory() + "notices-none-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await Program.run(try Program.docintakeBinary(), ["notices", "--data-dir", directory])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "No notices are waiting to be delivered: every notice has been sent.\n")
    }

    @Test func operatorTablesAlignJapaneseByDisplayWidth() async throws {
        let directory = NSTemporaryDirectory() + "tables-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let docintake = try Program.docintakeBinary()
        for name in ["審査担当 佐藤花子さん（本部・第二審査課）", "suzuki"] {
            #expect(try await Program.run(docintake, ["reviewer", "add", name, "--data-dir", directory]).status == 0)
        }
        let reviewers = try await Program.run(docintake, ["reviewer", "list", "--data-dir", directory])
        let lines = reviewers.stdout.split(separator: "\n")
        try #require(lines.count == 3, "\(reviewers.stdout)\(reviewers.stderr)")
        let created = Self.columns(lines[0][..<lines[0].range(of: "CREATED")!.lowerBound])
        for line in lines.dropFirst() {
            let date = try #require(line.range(of: "20"), "\(line)")
            #expect(Self.columns(line[..<date.lowerBound]) == created, "CREATED lines up:\n\(reviewers.stdout)")
        }

        let identify = try await Program.run(docintake, ["identify", Fixtures.path("開設許可書の写し.png"), Fixtures.path("tiny-reportlab.pdf")])
        let rows = identify.stdout.split(separator: "\n")
        try #require(rows.count == 3, "\(identify.stdout)\(identify.stderr)")
        let verdict = Self.columns(rows[0][..<rows[0].range(of: "VERDICT")!.lowerBound])
        for row in rows.dropFirst() {
            let accepted = try #require(row.range(of: "accepted"), "\(row)")
            #expect(Self.columns(row[..<accepted.lowerBound]) == verdict, "VERDICT lines up:\n\(identify.stdout)")
        }
    }
}
