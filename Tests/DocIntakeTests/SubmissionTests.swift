import Crypto
import Foundation
import Testing

@testable import DocIntake

@Suite(.serialized) struct SubmissionTests {
    static let applications = "/api/v1/applications"

    func submit(_ server: TestServer, _ fields: [String: String], files: [(String, String)] = [], extra: [String] = []) async throws -> Curl.Result {
        let fileArguments = files.flatMap { ["-F", "\($0.0)=@\($0.1)"] }
        return try await Curl.run(ApplicationFields.curlArguments(fields) + fileArguments + extra + [server.baseURL + Self.applications])
    }

    static func sha256(ofFile path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    @Test func aWorkplaceClinicAppliesWithTwoRealDocuments() async throws {
        try await TestServer.with { server in
            let permit = Fixtures.path("開設許可書の写し.png")
            let notification = Fixtures.path("notice-libreoffice-ja.pdf")
            let result = try await submit(
                server, ApplicationFields.workplaceClinic,
                files: [("opening_notification", notification), ("opening_permit", permit)])
            #expect(result.status == 201, "\(result.text)")
            let json = result.json
            let receipt = try #require(json["receipt_number"] as? String)
            #expect(receipt.range(of: #"^\d{8}-[0-9A-HJKMNP-TV-Z]{6}$"#, options: .regularExpression) != nil)
            #expect(json["status"] as? String == "submitted")
            let token = try #require(json["access_token"] as? String)
            let documents = try #require(json["documents"] as? [[String: Any]])
            #expect(documents.count == 2)
            let bySlot = Dictionary(uniqueKeysWithValues: documents.map { ($0["slot"] as! String, $0) })
            #expect(bySlot["opening_permit"]?["filename"] as? String == "開設許可書の写し.png")
            #expect(bySlot["opening_permit"]?["type"] as? String == "png")
            #expect(bySlot["opening_permit"]?["sha256"] as? String == (try Self.sha256(ofFile: permit)))
            #expect(bySlot["opening_notification"]?["type"] as? String == "pdf")
            #expect(try server.tempFiles().isEmpty)

            let id = try #require(json["id"] as? String)
            let view = try await Curl.run(["-H", "Authorization: Bearer \(token)", server.baseURL + Self.applications + "/" + id])
            #expect(view.status == 200)
            #expect(!view.text.contains("4821"), "the secret number must never be shown")
            #expect((view.json["fields"] as? [String: Any])?["institution_name"] as? String == "株式会社テスト 健康管理室診療所")
            #expect((view.json["history"] as? [[String: Any]])?.first?["label"] as? String == "受付")

            let stranger = try await Curl.run(["-H", "Authorization: Bearer dia_not-the-token", server.baseURL + Self.applications + "/" + id])
            #expect(stranger.status == 404)
            let anonymous = try await Curl.run([server.baseURL + Self.applications + "/" + id])
            #expect(anonymous.status == 404)

            let stores = try await server.stores()
            let record = try await #require(try stores.metadata.application(id: id))
            #expect(record.secretNumberHash.hasPrefix("v2$") && !record.secretNumberHash.contains("4821"))
            // The hash was started while the documents arrived; it must still be the secret's.
            #expect(try server.secretHasher().verify(SecretNumber(digits: "4821"), against: record.secretNumberHash))
            #expect(try !server.secretHasher().verify(SecretNumber(digits: "4822"), against: record.secretNumberHash))
            #expect(record.accessTokenHash != token)
        }
    }

    @Test func aSecretSentAfterTheDocumentsIsHashedAfterwards() async throws {
        try await TestServer.with { server in
            var fields = ApplicationFields.workplaceClinic
            let removed = fields.removeValue(forKey: "secret_number")
            let secret = try #require(removed)
            let result = try await submit(
                server, fields,
                files: [
                    ("opening_notification", Fixtures.path("tiny-reportlab.pdf")), ("opening_permit", Fixtures.path("scan-pillow.png")),
                ], extra: ["-F", "secret_number=\(secret)"])
            #expect(result.status == 201, "\(result.text)")
            let id = try #require(result.json["id"] as? String)
            let record = try await #require(try server.stores().metadata.application(id: id))
            #expect(try server.secretHasher().verify(SecretNumber(digits: secret), against: record.secretNumberHash))
        }
    }

    @Test func aMedicalApplicationNeedsNoDocumentsAndMayNotSendAny() async throws {
        try await TestServer.with { server in
            let accepted = try await submit(server, ApplicationFields.medical)
            #expect(accepted.status == 201, "\(accepted.text)")
            #expect((accepted.json["documents"] as? [Any])?.isEmpty == true)
            #expect((accepted.json["warnings"] as? [Any])?.isEmpty == true, "0712362 in 広島 has a valid check digit")

            let withFile = try await submit(server, ApplicationFields.medical, files: [("opening_permit", Fixtures.path("tiny-reportlab.pdf"))])
            #expect(withFile.status == 422)
            #expect(withFile.fieldCodes["opening_permit"] == "not_allowed")
            #expect(try server.tempFiles().isEmpty)
        }
    }

    @Test func everyFieldErrorIsReportedAtOnce() async throws {
        try await TestServer.with { server in
            let fields: [String: String] = [
                "institution_kind": "workplace_clinic",
                "prefecture_code": "48",
                "institution_name": String(repeating: "長", count: 101),
                "application_kind": "renew",
                "line_type": "1",
                "customer_id": "CAF1234567",
                "customer_id_confirmation": "x",
                "planned_start_month": "2027-13",
                "planned_test_month": "soon",
                "secret_number": "12345",
                "secret_number_confirmation": "1234",
                "certificate_fee_payment": "deduct_from_fees",
                "contact_email": "not-an-address",
            ]
            let result = try await submit(server, fields)
            #expect(result.status == 422)
            #expect(result.headers.lowercased().contains("content-type: application/problem+json"))
            let expected: [String: String] = [
                "prefecture_code": "format", "institution_name": "too_long", "application_kind": "invalid_choice",
                "terms_agreed": "required", "customer_id": "format", "customer_id_type": "required",
                "customer_id_confirmation": "mismatch", "flets_v6_confirmed": "required",
                "planned_start_month": "format", "planned_test_month": "format", "secret_number": "format",
                "secret_number_confirmation": "mismatch", "certificate_fee_payment": "not_allowed",
                "contact_email": "format",
            ]
            #expect(result.fieldCodes == expected)
            let messages = (result.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
            #expect(
                messages.allSatisfy { $0.unicodeScalars.contains { (0x3040...0x30FF).contains($0.value) || (0x4E00...0x9FFF).contains($0.value) } },
                "every message must be in Japanese")
        }
    }

    @Test func fullWidthDigitsAndLettersAreNormalised() async throws {
        try await TestServer.with { server in
            var fields = ApplicationFields.medical
            fields["prefecture_code"] = "３４"
            fields["institution_code"] = "０７１２３６２"
            fields["customer_id_type"] = "ＣＡＦ"
            fields["customer_id"] = "１２３４５６７８９０"
            fields["customer_id_confirmation"] = " 1234567890　"
            fields["planned_start_month"] = "２０２７－０４"
            fields["secret_number"] = "４８２１"
            let result = try await submit(server, fields)
            // NFKC maps the full-width hyphen-minus (U+FF0D) to "-".
            #expect(result.status == 201, "\(result.text)")
            let id = try #require(result.json["id"] as? String)
            let record = try await #require(try server.stores().metadata.application(id: id))
            #expect(record.prefectureCode == "34")
            #expect(record.institutionCode == "0712362")
            #expect(record.customerIdType == .caf)
            #expect(record.customerId == "1234567890")
            #expect(record.plannedStartMonth == "2027-04")
        }
    }

    @Test func aCheckDigitMismatchIsAWarningNotARejection() async throws {
        try await TestServer.with { server in
            var fields = ApplicationFields.medical
            fields["institution_code"] = "0000001"
            let result = try await submit(server, fields)
            #expect(result.status == 201)
            let warnings = try #require(result.json["warnings"] as? [[String: Any]])
            #expect(warnings.first?["code"] as? String == "check_digit_mismatch")
        }
    }
}
